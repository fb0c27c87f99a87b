//! CRM sync over HTTP against the real server, on SQLite and PostgreSQL:
//! push and pull, at-most-once mutations, conflicts, validation, paging,
//! limits and organisation isolation.

mod common;

use common::{Backend, PASSWORD, TestServer, spawn};
use serde_json::{Value, json};

on_both_backends!(
    push_then_pull_round_trip,
    the_same_mutation_is_applied_once,
    stale_edits_and_deletes_are_conflicts_with_the_server_copy,
    invalid_records_are_rejected_by_field,
    bad_pushes_and_pulls_get_specific_errors,
    other_organisations_see_nothing,
    pull_pages_through_ten_thousand_changes,
);

fn upsert(mid: &str, entity: &str, id: &str, base: Option<i64>, data: Value) -> Value {
    json!({"mutation_id": mid, "entity": entity, "id": id, "base_version": base, "op": "upsert", "data": data})
}

async fn push(s: &TestServer, token: &str, mutations: Vec<Value>) -> Vec<Value> {
    let r = s
        .post(
            "/api/v1/sync/push",
            Some(token),
            json!({ "mutations": mutations }),
        )
        .await
        .expect(200);
    r.body["results"].as_array().unwrap().clone()
}

async fn pull(s: &TestServer, token: &str, cursor: Option<&str>, limit: Option<u32>) -> Value {
    let mut path = "/api/v1/sync/pull?".to_string();
    if let Some(c) = cursor {
        path.push_str(&format!("cursor={c}&"));
    }
    if let Some(l) = limit {
        path.push_str(&format!("limit={l}"));
    }
    s.get(&path, Some(token)).await.expect(200).body
}

/// The change stream's lines, parsed; the answer must be NDJSON.
async fn stream(
    s: &TestServer,
    token: &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Vec<Value> {
    let mut path = "/api/v1/sync/changes?".to_string();
    if let Some(c) = cursor {
        path.push_str(&format!("cursor={c}&"));
    }
    if let Some(l) = limit {
        path.push_str(&format!("limit={l}"));
    }
    // Read as text: one line alone would also parse as one JSON value.
    let r = s
        .http
        .get(s.url(&path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let text = r.text().await.unwrap();
    assert!(text.ends_with('\n'), "every line ends");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn push_then_pull_round_trip(b: Backend) {
    let s = spawn(b).await;
    s.add_user("ann").await;
    let (t, _) = s.login("ann", PASSWORD).await;
    let id = uuid();
    let r = push(
        &s,
        &t,
        vec![upsert(
            "m1",
            "customer",
            &id,
            None,
            json!({"name": "上海申通物流", "tags": ["vip"]}),
        )],
    )
    .await;
    assert_eq!(
        r[0],
        json!({"mutation_id": "m1", "status": "applied", "version": 1})
    );
    let first = pull(&s, &t, None, None).await;
    assert_eq!(first["has_more"], false);
    assert_eq!(first["changes"].as_array().unwrap().len(), 1);
    assert_eq!(first["changes"][0]["data"]["name"], "上海申通物流");
    assert_eq!(first["changes"][0]["version"], 1);
    let cursor = first["cursor"].as_str().unwrap().to_string();
    // Nothing new since.
    assert_eq!(
        pull(&s, &t, Some(&cursor), None).await["changes"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = push(
        &s,
        &t,
        vec![upsert(
            "m2",
            "customer",
            &id,
            Some(1),
            json!({"name": "申通物流"}),
        )],
    )
    .await;
    assert_eq!(r[0]["version"], 2);
    let r = push(&s, &t, vec![json!({"mutation_id": "m3", "entity": "customer", "id": id, "base_version": 2, "op": "delete"})]).await;
    assert_eq!(
        (r[0]["status"].as_str(), r[0]["version"].as_i64()),
        (Some("applied"), Some(3))
    );
    let next = pull(&s, &t, Some(&cursor), None).await;
    let changes = next["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "one record, newest state: {changes:?}");
    assert_eq!(
        (
            changes[0]["version"].as_i64(),
            changes[0]["deleted"].as_bool()
        ),
        (Some(3), Some(true))
    );
    let rec = s
        .get(&format!("/api/v1/records/customer/{id}"), Some(&t))
        .await
        .expect(200);
    assert_eq!(rec.body["deleted"], true);
    // Contacts, deals and activities travel the same way.
    let cid = id.clone();
    let r = push(&s, &t, vec![
        upsert("c1", "contact", &uuid(), None, json!({"name": "王经理", "customer_id": cid, "phone": "138 0013 8000"})),
        upsert("d1", "deal", &uuid(), None, json!({"title": "仓储系统", "amount": 250000, "stage": "qualified", "customer_id": cid})),
        upsert("a1", "activity", &uuid(), None, json!({"kind": "call", "subject": "回访", "due_at": "2026-12-01T09:00:00Z"})),
    ]).await;
    assert!(r.iter().all(|x| x["status"] == "applied"), "{r:?}");
}

async fn the_same_mutation_is_applied_once(b: Backend) {
    let s = spawn(b).await;
    s.add_user("bea").await;
    let (t, _) = s.login("bea", PASSWORD).await;
    let id = uuid();
    let m = upsert("same-id", "customer", &id, None, json!({"name": "Acme"}));
    let first = push(&s, &t, vec![m.clone()]).await;
    let again = push(&s, &t, vec![m.clone(), m]).await;
    assert_eq!(again[0], first[0]);
    assert_eq!(again[1], first[0]);
    let all = pull(&s, &t, None, None).await;
    assert_eq!(all["changes"].as_array().unwrap().len(), 1);
    assert_eq!(all["changes"][0]["version"], 1);
}

async fn stale_edits_and_deletes_are_conflicts_with_the_server_copy(b: Backend) {
    let s = spawn(b).await;
    s.add_user("cy").await;
    s.add_user("di").await;
    let (a, _) = s.login("cy", PASSWORD).await;
    let (d, _) = s.login("di", PASSWORD).await;
    let id = uuid();
    push(
        &s,
        &a,
        vec![upsert(
            "x1",
            "customer",
            &id,
            None,
            json!({"name": "Old name"}),
        )],
    )
    .await;
    let r = push(
        &s,
        &a,
        vec![upsert(
            "x2",
            "customer",
            &id,
            Some(1),
            json!({"name": "Cy's name"}),
        )],
    )
    .await;
    assert_eq!(r[0]["status"], "applied");
    // Di edited version 1 offline.
    let r = push(
        &s,
        &d,
        vec![upsert(
            "y1",
            "customer",
            &id,
            Some(1),
            json!({"name": "Di's name"}),
        )],
    )
    .await;
    assert_eq!(r[0]["status"], "conflict");
    assert_eq!(r[0]["server"]["data"]["name"], "Cy's name");
    assert_eq!(r[0]["server"]["version"], 2);
    // Deleting what someone else just edited is a conflict too.
    let r = push(&s, &d, vec![json!({"mutation_id": "y2", "entity": "customer", "id": id, "base_version": 1, "op": "delete"})]).await;
    assert_eq!(r[0]["status"], "conflict");
    // A new record whose id exists is a conflict as well.
    let r = push(
        &s,
        &d,
        vec![upsert("y3", "customer", &id, None, json!({"name": "dup"}))],
    )
    .await;
    assert_eq!(r[0]["status"], "conflict");
    let rec = s
        .get(&format!("/api/v1/records/customer/{id}"), Some(&d))
        .await
        .expect(200);
    assert_eq!(
        rec.body["data"]["name"], "Cy's name",
        "nothing overwritten silently"
    );
}

async fn invalid_records_are_rejected_by_field(b: Backend) {
    let s = spawn(b).await;
    s.add_user("ed").await;
    let (t, _) = s.login("ed", PASSWORD).await;
    let r = push(
        &s,
        &t,
        vec![
            upsert(
                "v1",
                "customer",
                &uuid(),
                None,
                json!({"name": "", "email": "not-mail"}),
            ),
            upsert(
                "v2",
                "deal",
                &uuid(),
                None,
                json!({"title": "t", "amount": -5}),
            ),
            upsert(
                "v3",
                "contact",
                &uuid(),
                None,
                json!({"name": "n", "phone": "call me"}),
            ),
            upsert("v4", "customer", &uuid(), None, json!("just a string")),
        ],
    )
    .await;
    assert!(r.iter().all(|x| x["status"] == "rejected"), "{r:?}");
    assert_eq!(
        r[0]["error"],
        json!({"code": "validation", "fields": {"name": "required", "email": "invalid_email"}})
    );
    assert_eq!(r[1]["error"]["fields"]["amount"], "negative");
    assert_eq!(r[2]["error"]["fields"]["phone"], "invalid_phone");
    assert_eq!(r[3]["error"]["fields"]["data"], "invalid_type");
    // A won deal can't go back to lead.
    let id = uuid();
    push(
        &s,
        &t,
        vec![upsert(
            "w1",
            "deal",
            &id,
            None,
            json!({"title": "t", "stage": "won"}),
        )],
    )
    .await;
    let r = push(
        &s,
        &t,
        vec![upsert(
            "w2",
            "deal",
            &id,
            Some(1),
            json!({"title": "t", "stage": "lead"}),
        )],
    )
    .await;
    assert_eq!(r[0]["error"]["fields"]["stage"], "invalid_stage_change");
    // Updating a record the server never had is rejected, not created.
    let r = push(
        &s,
        &t,
        vec![upsert(
            "w3",
            "customer",
            &uuid(),
            Some(4),
            json!({"name": "ghost"}),
        )],
    )
    .await;
    assert_eq!(r[0]["error"]["code"], "not_found");
    assert_eq!(
        pull(&s, &t, None, None).await["changes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn bad_pushes_and_pulls_get_specific_errors(b: Backend) {
    let s = spawn(b).await;
    s.add_user("fi").await;
    let (t, _) = s.login("fi", PASSWORD).await;
    s.get("/api/v1/sync/pull", None)
        .await
        .expect_error(401, "unauthorized");
    s.get("/api/v1/sync/pull?cursor=garbage", Some(&t))
        .await
        .expect_error(400, "bad_request");
    s.get("/api/v1/sync/pull?limit=0", Some(&t))
        .await
        .expect_error(400, "bad_request");
    s.post("/api/v1/sync/push", Some(&t), json!({"mutations": [{"mutation_id": "m", "entity": "planet", "id": uuid(), "base_version": null, "op": "upsert"}]}))
        .await
        .expect_error(400, "bad_request");
    let many: Vec<Value> = (0..501)
        .map(|i| {
            upsert(
                &format!("m{i}"),
                "customer",
                &uuid(),
                None,
                json!({"name": "n"}),
            )
        })
        .collect();
    s.post("/api/v1/sync/push", Some(&t), json!({ "mutations": many }))
        .await
        .expect_error(400, "bad_request");
    // Over 64 KiB is fine here (the push limit is 4 MiB)...
    let notes = "x".repeat(9_000);
    let big: Vec<Value> = (0..10)
        .map(|i| {
            upsert(
                &format!("b{i}"),
                "customer",
                &uuid(),
                None,
                json!({"name": "n", "notes": notes}),
            )
        })
        .collect();
    push(&s, &t, big).await;
    // ...and over 4 MiB is 413.
    let huge = "y".repeat(5 * 1024 * 1024);
    // Its own connection: the server answers 413 without reading the body
    // and then closes the connection, which a pooled client would reuse.
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/sync/push"))
        .bearer_auth(&t)
        .body(format!("{{\"mutations\": [], \"pad\": \"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    s.get("/api/v1/records/planet/x", Some(&t))
        .await
        .expect_error(404, "not_found");
    s.get(&format!("/api/v1/records/customer/{}", uuid()), Some(&t))
        .await
        .expect_error(404, "not_found");
}

async fn other_organisations_see_nothing(b: Backend) {
    let s = spawn(b).await;
    s.add_user("gil").await;
    let other_org = relay_server::data::orgs::create(&s.state.db, "Rival Ltd", false)
        .await
        .unwrap();
    relay_server::users::create(
        &s.state.db,
        &s.state.hasher,
        &relay_protocol::PasswordPolicy::default(),
        relay_server::users::NewUser {
            login: "spy".into(),
            email: Some("spy@rival.example".into()),
            phone: None,
            display_name: "Spy".into(),
            locale: "en-US".into(),
            password: secrecy::SecretString::from(PASSWORD),
            admin: false,
            org_id: Some(other_org),
        },
    )
    .await
    .unwrap();
    let (g, _) = s.login("gil", PASSWORD).await;
    let (spy, _) = s.login("spy", PASSWORD).await;
    let ids: Vec<(&str, String)> = vec![
        ("customer", uuid()),
        ("contact", uuid()),
        ("deal", uuid()),
        ("activity", uuid()),
    ];
    let data = |e: &str| match e {
        "customer" | "contact" => json!({"name": "Secret"}),
        "deal" => json!({"title": "Secret"}),
        _ => json!({"kind": "note", "subject": "Secret"}),
    };
    let muts: Vec<Value> = ids
        .iter()
        .map(|(e, id)| upsert(&format!("o-{id}"), e, id, None, data(e)))
        .collect();
    push(&s, &g, muts).await;
    for (entity, id) in &ids {
        s.get(&format!("/api/v1/records/{entity}/{id}"), Some(&spy))
            .await
            .expect_error(404, "not_found");
        s.get(&format!("/api/v1/records/{entity}/{id}"), Some(&g))
            .await
            .expect(200);
    }
    let streamed = stream(&s, &spy, None, None).await;
    assert_eq!(streamed.len(), 1, "a checkpoint only: {streamed:?}");
    assert_eq!(
        pull(&s, &spy, None, None).await["changes"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let (e, id) = &ids[0];
    let r = push(
        &s,
        &spy,
        vec![upsert("spy1", e, id, Some(1), json!({"name": "Hacked"}))],
    )
    .await;
    assert_eq!(r[0]["status"], "rejected");
    let r = push(&s, &spy, vec![json!({"mutation_id": "spy2", "entity": e, "id": id, "base_version": 1, "op": "delete"})]).await;
    assert_eq!(r[0]["status"], "rejected");
    let rec = s
        .get(&format!("/api/v1/records/customer/{id}"), Some(&g))
        .await
        .expect(200);
    assert_eq!(
        (
            rec.body["data"]["name"].as_str(),
            rec.body["deleted"].as_bool()
        ),
        (Some("Secret"), Some(false))
    );
    // The same mutation id in two organisations are two mutations.
    let r = push(
        &s,
        &spy,
        vec![upsert(
            &format!("o-{id}"),
            "customer",
            &uuid(),
            None,
            json!({"name": "Mine"}),
        )],
    )
    .await;
    assert_eq!(r[0]["status"], "applied");
}

async fn pull_pages_through_ten_thousand_changes(b: Backend) {
    let s = spawn(b).await;
    s.add_user("hu").await;
    let (t, _) = s.login("hu", PASSWORD).await;
    let mut pushed = std::collections::HashSet::new();
    for batch in 0..20 {
        let muts: Vec<Value> = (0..500)
            .map(|i| {
                let id = uuid();
                pushed.insert(id.clone());
                upsert(
                    &format!("p{batch}-{i}"),
                    "customer",
                    &id,
                    None,
                    json!({"name": format!("客户 {batch}-{i}")}),
                )
            })
            .collect();
        let r = push(&s, &t, muts).await;
        assert!(r.iter().all(|x| x["status"] == "applied"));
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = pull(&s, &t, cursor.as_deref(), Some(1000)).await;
        pages += 1;
        for c in page["changes"].as_array().unwrap() {
            assert!(
                seen.insert(c["id"].as_str().unwrap().to_string()),
                "a change came twice"
            );
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if page["has_more"] == false {
            break;
        }
        assert!(pages < 20);
    }
    assert_eq!(pages, 10);
    assert_eq!(seen, pushed);
    // A limit over the cap is capped, with has_more.
    let capped = pull(&s, &t, None, Some(5000)).await;
    assert_eq!(capped["changes"].as_array().unwrap().len(), 1000);
    assert_eq!(capped["has_more"], true);

    // The change stream gives the same changes, a checkpoint at most
    // every 1000 and at the end; its cursors continue a pull and itself.
    let lines = stream(&s, &t, None, Some(2500)).await;
    let checkpoints: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.get("cursor").is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        checkpoints,
        vec![1000, 2001, 2502],
        "after 1000, 2000 and 2500 changes"
    );
    assert_eq!(lines[2502]["has_more"], true);
    let first_page = pull(&s, &t, None, Some(1000)).await;
    assert_eq!(
        &lines[..1000],
        first_page["changes"].as_array().unwrap().as_slice(),
        "a streamed change is the pulled change, field by field"
    );
    let after_first = lines[1000]["cursor"].as_str().unwrap();
    let second_page = pull(&s, &t, Some(after_first), Some(1000)).await;
    assert_eq!(
        &lines[1001..2001],
        second_page["changes"].as_array().unwrap().as_slice()
    );
    let rest = stream(&s, &t, lines[2502]["cursor"].as_str(), None).await;
    let last = rest.last().unwrap();
    assert_eq!(last["has_more"], false);
    let mut streamed = std::collections::HashSet::new();
    for c in lines
        .iter()
        .chain(rest.iter())
        .filter(|l| l.get("id").is_some())
    {
        assert!(
            streamed.insert(c["id"].as_str().unwrap().to_string()),
            "a change came twice"
        );
    }
    assert_eq!(streamed, pushed);
    // Up to date: only the checkpoint, with the same cursor.
    let nothing = stream(&s, &t, last["cursor"].as_str(), None).await;
    assert_eq!(
        nothing,
        vec![json!({"cursor": last["cursor"], "has_more": false})]
    );
    // Bad cursors and limits: 400, as a pull's.
    for path in [
        "/api/v1/sync/changes?cursor=nonsense",
        "/api/v1/sync/changes?limit=0",
        "/api/v1/sync/changes?limit=-3",
        "/api/v1/sync/changes?limit=many",
    ] {
        let r = s.get(path, Some(&t)).await.expect(400);
        assert_eq!(r.body["error"]["code"], "bad_request", "{path}");
    }
    s.get("/api/v1/sync/changes", None).await.expect(401);
}
