"""The expectations flow in a real browser: a manager writes and publishes a team document, a rep
signs it, a material change makes the rep see what changed and sign again, the PDF downloads."""

import pytest

from charter.expectations import services as expectations_services
from charter.expectations.models import Signature
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


@pytest.fixture
def company_values(org, admin):
    return [
        expectations_services.value_create(org=org, actor=admin.user, name=name, description=d)
        for name, d in (("Ownership", "We do what we said."), ("Customer first", "We listen."))
    ]


def _write_and_publish(page, summary: str) -> None:
    page.get_by_label("Summary").fill(summary)
    page.get_by_label("Material (everyone signs again)").check()
    page.get_by_role("button", name="Publish version").click()
    expect(page.get_by_role("status")).to_contain_text("is published")


def test_manager_publishes_rep_signs_then_signs_again_after_a_material_change(
    new_page, manager, rep, company_values
):
    boss = new_page()
    boss.on("dialog", lambda dialog: dialog.accept())
    sign_in(boss, manager.email)
    boss.get_by_role("link", name="Expectations").first.click()
    boss.get_by_role("link", name="New document").click()
    boss.get_by_label("Title").fill("East Enterprise rules")
    boss.get_by_label("Team", exact=True).select_option(label="East Enterprise")
    boss.get_by_role("button", name="Create the draft").click()
    expect(boss.get_by_role("heading", level=1)).to_contain_text("Draft: East Enterprise rules")

    # Keep one hand-written section and fill it; drop the other template sections.
    for title in (
        "How success is measured",
        "Learning and development",
        "Feedback and reviews",
        "Adapting to change",
    ):
        section = boss.locator(
            "section.doc-edit-section", has=boss.get_by_role("heading", name=title)
        )
        section.get_by_role("button", name="Delete").first.click()
        expect(boss.get_by_role("heading", name=title)).to_have_count(0)
    process = boss.locator(
        "section.doc-edit-section",
        has=boss.get_by_role("heading", name="Responsibilities and sales process"),
    )
    process.get_by_role("link", name="Add an expectation").click()
    boss.get_by_label("Title").fill("Follow up fast")
    boss.get_by_label("Text").fill("Call every inbound lead within **two days**.")
    boss.get_by_label("Ownership").check()
    boss.get_by_label("How it is measured").fill("CRM activity report")
    boss.get_by_role("button", name="Add expectation").click()
    _write_and_publish(boss, "Our first team rules")

    seller = new_page()
    sign_in(seller, rep.email)
    seller.goto("/expectations/")
    seller.get_by_role("link", name="East Enterprise rules, version 1").click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text("Read and sign")
    seller.get_by_label("Type your full name to sign").fill("Rick Rep")
    seller.get_by_label("I have read this version").check()
    seller.get_by_role("button", name="Sign version 1").click()
    expect(seller.get_by_role("status")).to_contain_text("You signed version 1")

    # A material change: the manager tightens the rule and publishes version 2.
    boss.goto(boss.url.split("/expectations/")[0] + "/expectations/")
    boss.get_by_role("link", name="Edit draft").first.click()
    boss.locator(".doc-edit-item", has_text="Follow up fast").get_by_role(
        "link", name="Edit"
    ).click()
    boss.get_by_label("Text").fill("Call every inbound lead within **one day**.")
    boss.get_by_role("button", name="Save").click()
    _write_and_publish(boss, "Faster follow-up")

    seller.goto("/expectations/")
    seller.get_by_role("link", name="East Enterprise rules, version 2").click()
    changed = seller.locator("#what-changed")
    expect(changed).to_contain_text("What changed since you signed version 1")
    expect(changed.locator("del").first).to_contain_text("two")
    expect(changed.locator("ins").first).to_contain_text("one")
    seller.get_by_label("Type your full name to sign").fill("Rick Rep")
    seller.get_by_label("I have read this version").check()
    seller.get_by_role("button", name="Sign version 2").click()
    expect(seller.get_by_role("status")).to_contain_text("You signed version 2")
    assert sorted(
        Signature.objects.filter(person=rep).values_list("version__number", flat=True)
    ) == [
        1,
        2,
    ]

    with seller.expect_download() as download_info:
        seller.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-v2.pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
