"""The jobs pages: who sees which job, and the progress fragment htmx polls."""

from __future__ import annotations

from charter.conftest import client_for
from charter.core import jobs
from charter.core.models import Job


def job_for(person, title="Import people.csv", total=10):
    return jobs.job_create(
        kind="import", title=title, org=person.org, actor=person.user, total=total
    )


def test_a_person_sees_only_the_jobs_they_started(everyone):
    mine = job_for(everyone["manager"], "Mona's import")
    job_for(everyone["other_manager"], "Omar's import")
    job_for(everyone["admin"], "Ada's import")
    response = client_for(everyone["manager"]).get("/jobs/")
    assert [j.title for j in response.context["page"]] == [mine.title]
    assert "Omar&#x27;s import" not in response.content.decode()


def test_admin_sees_every_job(everyone):
    for who in ("manager", "other_manager", "admin"):
        job_for(everyone[who], f"{who} import")
    response = client_for(everyone["admin"]).get("/jobs/")
    assert {j.title for j in response.context["page"]} == {
        "manager import",
        "other_manager import",
        "admin import",
    }


def test_someone_elses_job_is_404(everyone):
    job = job_for(everyone["manager"])
    assert client_for(everyone["other_manager"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(everyone["rep"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(everyone["executive"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(everyone["manager"]).get(f"/jobs/{job.pk}/").status_code == 200
    assert client_for(everyone["admin"]).get(f"/jobs/{job.pk}/").status_code == 200


def test_running_job_page_polls_for_progress(everyone):
    job = job_for(everyone["admin"], total=200)
    jobs.job_start(job)
    jobs.job_progress(job, done=50)
    body = client_for(everyone["admin"]).get(f"/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/jobs/{job.pk}/"' in body
    assert 'hx-trigger="every 1s"' in body
    assert 'aria-valuenow="25"' in body


def test_htmx_poll_gets_the_progress_fragment_and_stops_when_done(everyone):
    job = job_for(everyone["admin"], total=4)
    jobs.job_start(job)
    client = client_for(everyone["admin"])
    running = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert running.lstrip().startswith('<section class="card" id="job-progress"')
    assert "<html" not in running
    jobs.job_progress(job, done=4)
    jobs.job_finish(job, ok=True, message="4 rows imported", result_url="/org/people/")
    done = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert "4 rows imported" in done
    assert 'href="/org/people/"' in done


def test_failed_job_says_so(everyone):
    job = job_for(everyone["admin"])
    jobs.job_finish(job, ok=False, message="Row 3: no name")
    body = client_for(everyone["admin"]).get(f"/jobs/{job.pk}/").content.decode()
    assert "badge-bad" in body
    assert "Row 3: no name" in body


def test_anonymous_cannot_see_jobs(everyone):
    job = job_for(everyone["admin"])
    for path in ("/jobs/", f"/jobs/{job.pk}/"):
        response = client_for(None).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_an_admin_never_sees_another_organizations_jobs(everyone, globex):
    acme = job_for(everyone["manager"], "Import deals from acme.csv")
    theirs = job_for(globex["manager"], "Import deals from globex.csv")
    acme_admin, globex_admin = client_for(everyone["admin"]), client_for(globex["admin"])
    listed = acme_admin.get("/jobs/")
    assert [j.title for j in listed.context["page"]] == [acme.title]
    assert "globex.csv" not in listed.content.decode()
    assert "globex.csv" not in acme_admin.get("/").content.decode()
    assert [j.title for j in globex_admin.get("/jobs/").context["page"]] == [theirs.title]
    assert acme_admin.get(f"/jobs/{theirs.pk}/").status_code == 404
    assert globex_admin.get(f"/jobs/{acme.pk}/").status_code == 404
    assert globex_admin.get(f"/jobs/{theirs.pk}/").status_code == 200


def test_a_job_no_organization_claims_is_shown_to_nobody(everyone):
    # An old row the backfill could not place: no admin reads it rather than the wrong one.
    job = job_for(everyone["admin"], "Import people from old.csv")
    Job.objects.filter(pk=job.pk).update(org=None)
    admin = client_for(everyone["admin"])
    assert list(admin.get("/jobs/").context["page"]) == []
    assert admin.get(f"/jobs/{job.pk}/").status_code == 404


def test_the_menu_offers_jobs_only_to_those_who_can_start_one(everyone):
    # Reps and executives never start a job: for them the page could only ever be empty.
    menu_link = 'href="/jobs/"'
    for who in ("rep", "executive"):
        assert menu_link not in client_for(everyone[who]).get("/").content.decode(), who
    for who in ("manager", "admin"):
        assert menu_link in client_for(everyone[who]).get("/").content.decode(), who


def test_an_empty_jobs_page_says_what_starts_a_job(everyone):
    manager_page = client_for(everyone["manager"]).get("/jobs/").content.decode()
    assert "No background jobs yet. Publishing a version of an" in manager_page
    assert 'href="/expectations/"' in manager_page
    assert 'href="/org/import/' not in manager_page.split("No background jobs yet.")[1]
    admin_page = client_for(everyone["admin"]).get("/jobs/").content.decode()
    assert 'href="/org/import/' in admin_page.split("No background jobs yet.")[1]
