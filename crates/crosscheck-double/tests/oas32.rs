//! A double serving an OpenAPI 3.2 contract: the `QUERY` method, custom methods from
//! `additionalOperations`, and `in: querystring` parameters checked as a whole.

mod common;

use common::{bounded, client};
use crosscheck_double::{MockOptions, MockServer};
use reqwest::Method;
use serde_json::{Value, json};

const SEARCH: &str = r##"
openapi: 3.2.0
info: { title: Search, version: "1" }
paths:
  /pets:
    query:
      operationId: searchPets
      parameters:
        - name: filter
          in: querystring
          required: true
          content:
            application/x-www-form-urlencoded:
              schema:
                type: object
                required: [species]
                additionalProperties: false
                properties:
                  species: { type: string, enum: [cat, dog] }
                  limit: { type: integer, minimum: 1 }
      responses:
        "200":
          description: matching pets
          content:
            application/json:
              schema: { type: array, items: { type: string } }
  /pets/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: integer } }
    additionalOperations:
      COPY:
        operationId: copyPet
        responses:
          "201": { description: copied }
  /find:
    get:
      parameters:
        - name: q
          in: querystring
          content:
            application/json:
              schema: { type: object, required: [name], properties: { name: { type: string } } }
      responses:
        "200": { description: found }
"##;

async fn search() -> MockServer {
    let contract = crosscheck_contract::parse("search.yaml", SEARCH).unwrap();
    let mut options = MockOptions::default();
    options.contracts = vec![contract];
    let mock = MockServer::start_with("search", options).await.unwrap();
    assert!(mock.warnings().is_empty(), "{:?}", mock.warnings());
    mock
}

#[tokio::test]
async fn query_and_custom_methods_with_querystring_parameters() {
    let mock = search().await;
    let url = mock.url();
    let c = client();
    let query = Method::from_bytes(b"QUERY").unwrap();
    bounded(async {
        let r = c
            .request(query.clone(), format!("{url}/pets?species=cat&limit=2"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.json::<Value>().await.unwrap().is_array());

        let r = c
            .request(query.clone(), format!("{url}/pets?species=cow&limit=0"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["error"],
            "the request does not conform to the contract's QUERY /pets"
        );
        assert_eq!(v["violations"][0]["in"], "querystring");
        assert_eq!(v["violations"][0]["name"], "filter");
        let message = v["violations"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("at `/"), "{v}");

        let r = c.request(query.clone(), format!("{url}/pets")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap()["violations"],
            json!([{"in": "querystring", "name": "filter", "message": "is required but the request has no query string"}])
        );

        let copy = Method::from_bytes(b"COPY").unwrap();
        let r = c.request(copy.clone(), format!("{url}/pets/7")).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let r = c.request(copy, format!("{url}/pets/seven")).send().await.unwrap();
        assert_eq!(r.status(), 400);

        // JSON as the whole query string, percent-encoded.
        let r = c
            .get(format!("{url}/find?%7B%22name%22%3A%22rex%22%7D"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c.get(format!("{url}/find?%7B%22nom%22%3A1%7D")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let r = c.get(format!("{url}/find?not-json")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap()["violations"][0]["message"],
            "the query string is not `application/json`"
        );
        // Optional: no query string at all is fine.
        let r = c.get(format!("{url}/find")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    })
    .await;
    mock.shutdown().await;
}

const EVENTS: &str = r##"
openapi: 3.2.0
info: { title: Events, version: "1" }
paths:
  /log:
    get:
      responses:
        "200":
          description: log lines
          content:
            application/x-ndjson:
              itemSchema:
                type: object
                required: [level, message]
                properties: { level: { type: integer, minimum: 1 }, message: { type: string } }
    post:
      requestBody:
        required: true
        content:
          application/x-ndjson:
            itemSchema:
              type: object
              required: [level]
              properties: { level: { type: integer, minimum: 1 } }
      responses:
        "204": { description: stored }
  /ticks:
    get:
      responses:
        "200":
          description: server-sent ticks
          content:
            text/event-stream:
              itemSchema:
                type: object
                required: [event, data]
                properties: { event: { const: tick }, data: { type: string }, retry: { type: integer, minimum: 0 } }
"##;

#[tokio::test]
async fn sequential_bodies_are_generated_from_the_item_schema() {
    let contract = crosscheck_contract::parse("events.yaml", EVENTS).unwrap();
    let mut options = MockOptions::default();
    options.contracts = vec![contract.clone()];
    let mock = MockServer::start_with("events", options).await.unwrap();
    assert!(mock.warnings().is_empty(), "{:?}", mock.warnings());
    let url = mock.url();
    let c = client();
    bounded(async {
        for (path, media) in [
            ("/log", "application/x-ndjson"),
            ("/ticks", "text/event-stream"),
        ] {
            let r = c.get(format!("{url}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], media);
            let body = r.bytes().await.unwrap();
            assert!(!body.is_empty(), "{path}");
            let op = contract.find_operation("GET", path).unwrap();
            assert_eq!(
                contract.check_response(op, 200, Some(media), &body),
                vec![],
                "{path}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let post = |body: &'static str| {
            c.post(format!("{url}/log"))
                .header("content-type", "application/x-ndjson")
                .body(body)
                .send()
        };
        assert_eq!(post("{\"level\":1}\n{\"level\":2}\n").await.unwrap().status(), 204);
        let r = post("{\"level\":1}\n{\"level\":0}\n").await.unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["violations"],
            json!([{"in": "body", "name": "/1/level", "message": "the value is less than the minimum of 1"}])
        );
        let r = post("{\"level\":1}\nnope\n").await.unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        let message = v["violations"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("line 2 is not valid JSON"), "{v}");
    })
    .await;
    mock.shutdown().await;
}
