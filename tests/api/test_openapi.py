"""GET /api/v1/openapi.json: a valid OpenAPI 3 document made from the validating schemas."""

from __future__ import annotations

from openapi_spec_validator import validate


def resolve(doc: dict, ref: dict) -> dict:
    name = ref["$ref"].removeprefix("#/components/schemas/")
    return doc["components"]["schemas"][name]


def test_document_is_public_and_valid(client):
    answer = client.get("/api/v1/openapi.json")  # no key, no login

    assert answer.status_code == 200
    doc = answer.get_json()
    validate(doc)
    assert doc["openapi"] == "3.0.3"
    assert doc["info"] == {"title": "fieldapp API", "version": "v1"}
    assert set(doc["paths"]) == {"/api/v1/cases", "/api/v1/cases/{case_number}"}


def test_post_schema_is_the_one_that_validates(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    post = doc["paths"]["/api/v1/cases"]["post"]
    case_in = resolve(doc, post["requestBody"]["content"]["application/json"]["schema"])
    assert {"case_number", "service_number", "purchase_date", "customer"} <= set(
        case_in["required"]
    )
    assert case_in["properties"]["origin"]["enum"][:3] == ["call_center", "store", "st_counter"]
    assert case_in["properties"]["purchase_date"]["format"] == "date"
    customer = resolve(doc, case_in["properties"]["customer"])
    assert customer["type"] == "object"
    assert set(customer["required"]) == {"name", "phone", "address", "ubigeo"}
    assert customer["properties"]["name"]["maxLength"] == 160
    assert {"201", "400", "401", "409", "422"} <= set(post["responses"])


def test_bearer_security_is_declared(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    assert doc["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer"}
    }
    assert doc["security"] == [{"bearerAuth": []}]


def test_no_documentation_ui_is_served(client):
    for path in ("/api/v1/swagger-ui", "/api/v1/redoc", "/api/v1/rapidoc"):
        assert client.get(path).status_code in {302, 404}
