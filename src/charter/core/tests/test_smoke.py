from charter.conftest import client_for


def test_home_renders_for_every_role(everyone):
    for name, person in everyone.items():
        response = client_for(person).get("/")
        assert response.status_code == 200, name
        assert person.first_name in response.content.decode()


def test_anonymous_home_redirects_to_login(db):
    response = client_for(None).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
