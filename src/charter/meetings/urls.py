from django.urls import path

from charter.meetings.views import meeting, series

app_name = "meetings"
urlpatterns = [
    path("", series.index, name="index"),
    path("actions/", series.my_actions, name="actions"),
    path("series/new/", series.series_create, name="series_create"),
    path("series/<int:series_id>/", series.series_detail, name="series"),
    path("series/<int:series_id>/cadence/", series.cadence_change, name="cadence_change"),
    path("series/<int:series_id>/end/", series.series_end, name="series_end"),
    path("series/<int:series_id>/invite.ics", series.series_invitation, name="series_ics"),
    path("<int:meeting_id>/", meeting.meeting_detail, name="meeting"),
    path("<int:meeting_id>/move/", meeting.meeting_move, name="meeting_move"),
    path("<int:meeting_id>/skip/", meeting.meeting_skip, name="meeting_skip"),
    path("<int:meeting_id>/held/", meeting.meeting_held, name="meeting_held"),
    path("<int:meeting_id>/topics/", meeting.topic_add, name="topic_add"),
    path("<int:meeting_id>/agenda/<int:entry_id>/move/", meeting.entry_move, name="entry_move"),
    path(
        "<int:meeting_id>/agenda/<int:entry_id>/discussed/",
        meeting.entry_discussed,
        name="entry_discussed",
    ),
    path("<int:meeting_id>/notes/", meeting.note_add, name="note_add"),
    path("<int:meeting_id>/actions/", meeting.action_add, name="action_add"),
    path("<int:meeting_id>/actions/<int:item_id>/done/", meeting.action_done, name="action_done"),
]
