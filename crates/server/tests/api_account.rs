//! Account settings over HTTP on both backends: personal info, a new email
//! or phone confirmed by a code sent to the new address, the photo (what is
//! accepted, what is refused and that a refusal stores nothing), the
//! new-device notice and the password-expiry reminder.

mod common;

use std::io::Cursor;
use std::time::{Duration, Instant};

use common::{Backend, PASSWORD, TestServer, spawn, spawn_with};
use serde_json::{Value, json};

on_both_backends!(
    personal_info_changes_and_refuses_bad_fields,
    a_new_email_is_bound_by_the_code_sent_to_it,
    contact_change_errors_change_nothing,
    the_last_way_to_receive_codes_stays,
    photos_of_each_type_are_served_at_both_sizes,
    bad_photos_are_refused_and_nothing_is_stored,
    a_new_device_is_noticed_once,
    the_expiry_reminder_comes_once_per_password,
    a_reset_on_a_two_step_account_needs_the_second_factor,
);

async fn me(s: &TestServer, token: &str) -> Value {
    s.get("/api/v1/me", Some(token)).await.expect(200).body
}

async fn patch_me(s: &TestServer, token: &str, body: Value) -> common::Reply {
    s.send(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(token),
        Some(body),
    )
    .await
}

async fn personal_info_changes_and_refuses_bad_fields(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let user = patch_me(
        &s,
        &token,
        json!({"display_name": "  王丽  ", "locale": "zh-CN"}),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(
        (user["display_name"].as_str(), user["locale"].as_str()),
        (Some("王丽"), Some("zh-CN"))
    );
    // Left out: unchanged.
    let user = patch_me(&s, &token, json!({})).await.expect(200).body;
    assert_eq!(user["display_name"], "王丽");
    for (body, field, reason) in [
        (json!({"display_name": "   "}), "display_name", "required"),
        (
            json!({"display_name": "x".repeat(65)}),
            "display_name",
            "too_long",
        ),
        (
            json!({"display_name": "a\u{7}b"}),
            "display_name",
            "invalid",
        ),
        (json!({"locale": "fr-FR"}), "locale", "invalid"),
    ] {
        let r = patch_me(&s, &token, body)
            .await
            .expect_error(400, "validation_failed");
        assert_eq!(r.body["error"]["details"]["field"], field);
        assert_eq!(r.body["error"]["details"]["fields"][field], reason);
    }
    patch_me(&s, &token, json!({"display_name": 5}))
        .await
        .expect_error(400, "bad_request");
    let now = me(&s, &token).await;
    assert_eq!(
        (now["display_name"].as_str(), now["locale"].as_str()),
        (Some("王丽"), Some("zh-CN"))
    );
    assert_eq!(now["avatar_version"], Value::Null);
    assert_eq!(now["recovery_codes_left"], 0);
    // The account's language is the language of its mail.
    s.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"login": "alice"}),
    )
    .await
    .expect(202);
    let mail = s
        .wait_message("alice@example.com", "password_reset_code", 0)
        .await;
    assert!(mail.subject.contains("密码"), "{}", mail.subject);
}

fn change_path(ch: &Value, action: &str) -> String {
    format!(
        "/api/v1/me/contact/change/{}/{action}",
        ch["challenge_id"].as_str().unwrap()
    )
}

async fn start_contact_change(s: &TestServer, token: &str, channel: &str, value: &str) -> Value {
    s.post(
        "/api/v1/me/contact/change",
        Some(token),
        json!({"channel": channel, "new_value": value, "current_password": PASSWORD}),
    )
    .await
    .expect(202)
    .body
}

async fn a_new_email_is_bound_by_the_code_sent_to_it(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let ch = start_contact_change(&s, &token, "email", "Alice.New@Example.org").await;
    assert_eq!(ch["channel"], "email");
    assert_eq!(ch["destination"], "A***@Example.org");
    assert_eq!(ch["attempts_left"], 5);
    let code = s
        .wait_code("Alice.New@Example.org", "contact_verification_code", 0)
        .await;
    // Nothing is bound before the code comes back.
    assert_eq!(me(&s, &token).await["email"], "alice@example.com");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = s
        .post(
            &change_path(&ch, "confirm"),
            Some(&token),
            json!({"code": wrong}),
        )
        .await
        .expect_error(400, "invalid_code");
    assert_eq!(r.body["error"]["details"]["attempts_left"], 4);
    // Another session of the same account can't use this challenge.
    let (other, _) = s.login("alice", PASSWORD).await;
    s.post(
        &change_path(&ch, "confirm"),
        Some(&other),
        json!({"code": code}),
    )
    .await
    .expect_error(404, "not_found");
    let user = s
        .post(
            &change_path(&ch, "confirm"),
            Some(&token),
            json!({"code": code}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["email"], "Alice.New@Example.org");
    // Used once.
    s.post(
        &change_path(&ch, "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect_error(410, "challenge_expired");
    // The new address signs in (any case), the old one no longer does.
    s.login("alice.new@example.org", PASSWORD).await;
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "alice@example.com", "password": PASSWORD}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    // The old address is told; the new one gets the account's mail now.
    let notice = s
        .wait_message("alice@example.com", "email_changed_notice", 0)
        .await;
    assert!(notice.code.is_none());
    let events = s
        .get("/api/v1/me/security-events", Some(&token))
        .await
        .expect(200)
        .body;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "email_changed"),
        "{events}"
    );
    // And the phone, by SMS to the new number.
    let ch = start_contact_change(&s, &token, "sms", "+86 139 0000 1111").await;
    assert_eq!(ch["channel"], "sms");
    let code = s
        .wait_code("+86 139 0000 1111", "contact_verification_code", 0)
        .await;
    let old_phone = me(&s, &token).await["phone"].as_str().unwrap().to_string();
    let user = s
        .post(
            &change_path(&ch, "confirm"),
            Some(&token),
            json!({"code": code}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["phone"], "+86 139 0000 1111");
    s.login("13900001111", PASSWORD).await;
    s.wait_message(&old_phone, "phone_changed_notice", 0).await;
}

async fn contact_change_errors_change_nothing(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    s.add_user("bob").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let start = |channel: &'static str, value: &'static str, password: &'static str| {
        let s = &s;
        let token = token.clone();
        async move {
            s.post(
                "/api/v1/me/contact/change",
                Some(&token),
                json!({"channel": channel, "new_value": value, "current_password": password}),
            )
            .await
        }
    };
    start("email", "new@example.org", "wrong password")
        .await
        .expect_error(401, "invalid_credentials");
    let r = start("email", "not an address", PASSWORD)
        .await
        .expect_error(400, "validation_failed");
    assert_eq!(
        r.body["error"]["details"]["fields"]["new_value"],
        "invalid_email"
    );
    let r = start("sms", "12ab", PASSWORD)
        .await
        .expect_error(400, "validation_failed");
    assert_eq!(
        r.body["error"]["details"]["fields"]["new_value"],
        "invalid_phone"
    );
    let r = start("email", "ALICE@example.com", PASSWORD)
        .await
        .expect_error(400, "validation_failed");
    assert_eq!(
        r.body["error"]["details"]["fields"]["new_value"],
        "unchanged"
    );
    start("email", "bob@example.com", PASSWORD)
        .await
        .expect_error(409, "already_in_use");
    s.post(
        "/api/v1/me/contact/change",
        Some(&token),
        json!({"channel": "fax", "new_value": "1", "current_password": PASSWORD}),
    )
    .await
    .expect_error(400, "bad_request");
    s.post(
        "/api/v1/me/contact/change/not-a-uuid/confirm",
        Some(&token),
        json!({"code": "123456"}),
    )
    .await
    .expect_error(404, "not_found");
    // A second start supersedes the first; bob takes the address meanwhile:
    // the confirm is refused and nothing is bound.
    let first = start_contact_change(&s, &token, "email", "shared@example.org").await;
    let second = start_contact_change(&s, &token, "email", "shared@example.org").await;
    let first_code = s
        .wait_code("shared@example.org", "contact_verification_code", 0)
        .await;
    s.post(
        &change_path(&first, "confirm"),
        Some(&token),
        json!({"code": first_code}),
    )
    .await
    .expect_error(410, "challenge_expired");
    let code = s
        .wait_code("shared@example.org", "contact_verification_code", 1)
        .await;
    let (bob, _) = s.login("bob", PASSWORD).await;
    let ch = start_contact_change(&s, &bob, "email", "shared@example.org").await;
    let bob_code = s
        .wait_code("shared@example.org", "contact_verification_code", 2)
        .await;
    s.post(
        &change_path(&ch, "confirm"),
        Some(&bob),
        json!({"code": bob_code}),
    )
    .await
    .expect(200);
    s.post(
        &change_path(&second, "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect_error(409, "already_in_use");
    assert_eq!(me(&s, &token).await["email"], "alice@example.com");
    // No notice went to alice's address for any of this.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.count_messages("alice@example.com", "email_changed_notice"),
        0
    );
}

async fn the_last_way_to_receive_codes_stays(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let phone = me(&s, &token).await["phone"].as_str().unwrap().to_string();
    let remove = |channel: &'static str, password: &'static str| {
        let s = &s;
        let token = token.clone();
        async move {
            s.send(
                reqwest::Method::DELETE,
                &format!("/api/v1/me/contact/{channel}"),
                Some(&token),
                Some(json!({"current_password": password})),
            )
            .await
        }
    };
    remove("email", "wrong")
        .await
        .expect_error(401, "invalid_credentials");
    remove("fax", PASSWORD).await.expect_error(404, "not_found");
    // Both at once: exactly one goes, the other is the last one left.
    let (a, b2) = tokio::join!(remove("email", PASSWORD), remove("sms", PASSWORD));
    let mut statuses = [a.status.as_u16(), b2.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b2.body);
    let left = me(&s, &token).await;
    assert!(
        left["email"].is_null() != left["phone"].is_null(),
        "exactly one address is left: {left}"
    );
    let (channel, address) = if left["email"].is_null() {
        ("sms", phone.clone())
    } else {
        ("email", "alice@example.com".to_string())
    };
    remove(channel, PASSWORD)
        .await
        .expect_error(409, "last_channel");
    let removed = if channel == "sms" {
        "alice@example.com"
    } else {
        phone.as_str()
    };
    let kind = if channel == "sms" {
        "email_changed_notice"
    } else {
        "phone_changed_notice"
    };
    s.wait_message(removed, kind, 0).await;
    assert_eq!(
        me(&s, &token).await[if channel == "sms" { "phone" } else { "email" }],
        address.as_str()
    );
}

fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 120])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

/// A valid small PNG whose header claims `width` × `height` (its IHDR
/// rewritten, CRC and all): the decompression bomb's shape.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = picture(4, 4, image::ImageFormat::Png);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

async fn photos_of_each_type_are_served_at_both_sizes(b: Backend) {
    let s = spawn(b).await;
    let alice = s.add_user("alice").await;
    s.add_user("bob").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let (bob, _) = s.login("bob", PASSWORD).await;
    let mut versions = Vec::new();
    for (content_type, format, (w, h)) in [
        ("image/png", image::ImageFormat::Png, (300, 200)),
        ("image/jpeg", image::ImageFormat::Jpeg, (120, 400)),
        ("image/webp", image::ImageFormat::WebP, (64, 64)),
    ] {
        let r = s
            .put_bytes(
                "/api/v1/me/avatar",
                &token,
                content_type,
                picture(w, h, format),
            )
            .await
            .expect(200);
        let version = r.body["avatar_version"].as_str().unwrap().to_string();
        let user = me(&s, &token).await;
        assert_eq!(user["avatar_version"], version.as_str());
        assert_eq!(
            user["avatar_url"],
            format!("/api/v1/users/{alice}/avatar?size=256&v={version}").as_str()
        );
        for size in [256u32, 64] {
            // Another member of the organisation sees it too.
            let (status, headers, bytes) = s
                .get_bytes(
                    &format!("/api/v1/users/{alice}/avatar?size={size}&v={version}"),
                    &bob,
                    &[],
                )
                .await;
            assert_eq!(status, 200, "{content_type} {size}");
            assert_eq!(headers["content-type"], "image/png");
            assert!(
                headers["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            let back =
                image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap();
            assert_eq!(
                (back.width(), back.height()),
                (size, size),
                "{content_type}"
            );
            // Revalidation by ETag.
            let etag = headers["etag"].to_str().unwrap().to_string();
            let (status, _, _) = s
                .get_bytes(
                    &format!("/api/v1/users/{alice}/avatar?size={size}"),
                    &bob,
                    &[("if-none-match", &etag)],
                )
                .await;
            assert_eq!(status, 304);
        }
        versions.push(version);
    }
    versions.dedup();
    assert_eq!(versions.len(), 3, "each photo has its own version");
    // Without the current version: no long cache.
    let (_, headers, _) = s
        .get_bytes(&format!("/api/v1/users/{alice}/avatar?v=old"), &bob, &[])
        .await;
    assert_eq!(headers["cache-control"], "private, no-cache");
    let (status, _, _) = s
        .get_bytes(&format!("/api/v1/users/{alice}/avatar?size=128"), &bob, &[])
        .await;
    assert_eq!(status, 400);
    s.send(
        reqwest::Method::DELETE,
        "/api/v1/me/avatar",
        Some(&token),
        None,
    )
    .await
    .expect(204);
    let (status, _, _) = s
        .get_bytes(&format!("/api/v1/users/{alice}/avatar"), &bob, &[])
        .await;
    assert_eq!(status, 404);
    assert_eq!(me(&s, &token).await["avatar_version"], Value::Null);
    let (status, _, _) = s
        .get_bytes("/api/v1/users/not-a-uuid/avatar", &bob, &[])
        .await;
    assert_eq!(status, 404);
}

async fn bad_photos_are_refused_and_nothing_is_stored(b: Backend) {
    let s = spawn(b).await;
    let alice = s.add_user("alice").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let good = s
        .put_bytes(
            "/api/v1/me/avatar",
            &token,
            "image/png",
            picture(50, 50, image::ImageFormat::Png),
        )
        .await
        .expect(200)
        .body["avatar_version"]
        .clone();
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "a renamed text file",
            "image/png",
            b"just some text, not a picture\n".repeat(20),
            415,
            "unsupported_image",
        ),
        (
            "a JPEG claimed as PNG",
            "image/png",
            picture(20, 20, image::ImageFormat::Jpeg),
            415,
            "unsupported_image",
        ),
        (
            "a GIF type",
            "image/gif",
            picture(20, 20, image::ImageFormat::Png),
            415,
            "unsupported_image",
        ),
        (
            "no type",
            "application/octet-stream",
            picture(20, 20, image::ImageFormat::Png),
            415,
            "unsupported_image",
        ),
        (
            "9 000 px wide",
            "image/png",
            picture(9_000, 2, image::ImageFormat::Png),
            422,
            "image_too_large",
        ),
        (
            "a bomb: claims 30 000 × 30 000",
            "image/png",
            png_claiming(30_000, 30_000),
            422,
            "image_too_large",
        ),
    ];
    for (what, content_type, bytes, status, code) in cases {
        let r = s
            .put_bytes("/api/v1/me/avatar", &token, content_type, bytes)
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{what}: {}",
            r.body
        );
        assert_eq!(
            me(&s, &token).await["avatar_version"],
            good,
            "{what} stored something"
        );
    }
    // 20 MB: refused from its Content-Length, before the body is read (a
    // raw connection, so that the answer is read even though the server
    // stops reading the body and closes).
    let answer = oversized_upload(&s, &token, 20 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert_eq!(me(&s, &token).await["avatar_version"], good);
    let (status, _, bytes) = s
        .get_bytes(
            &format!("/api/v1/users/{alice}/avatar?size=64"),
            &token,
            &[],
        )
        .await;
    assert_eq!(status, 200);
    let back = image::load_from_memory(&bytes).unwrap();
    assert_eq!(back.width(), 64);
}

/// PUTs `size` bytes of PNG-looking data on a raw connection; the answer's
/// text (status line, headers, body).
async fn oversized_upload(s: &TestServer, token: &str, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "PUT /api/v1/me/avatar HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/png\r\nContent-Length: {size}\r\n\r\n",
        s.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let chunk = vec![0x89u8; 64 * 1024];
        let mut sent = 0;
        while sent < size {
            if write.write_all(&chunk).await.is_err() {
                break; // the server stopped reading: expected
            }
            sent += chunk.len();
        }
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), read.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&answer).contains("}}") {
                    break;
                }
            }
        }
    }
    writer.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn login_from(s: &TestServer, device: &str, device_token: Option<&str>) -> Value {
    let mut body = json!({"login": "alice", "password": PASSWORD, "device_name": device});
    if let Some(t) = device_token {
        body["device_token"] = json!(t);
    }
    s.post("/api/v1/auth/login", None, body)
        .await
        .expect(200)
        .body
}

async fn count_settled(s: &TestServer, to: &str, kind: &str, expected: usize) {
    // Notices go out from a worker: wait for the expected count, then a
    // little more to see that no extra one follows.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.count_messages(to, kind) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(s.count_messages(to, kind), expected, "{kind} to {to}");
}

async fn a_new_device_is_noticed_once(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let first = login_from(&s, "Laptop", None).await;
    count_settled(&s, "alice@example.com", "new_device_notice", 1).await;
    let notice = s
        .wait_message("alice@example.com", "new_device_notice", 0)
        .await;
    assert!(
        notice.body.contains("Laptop") && notice.body.contains("127.0.0.1"),
        "{}",
        notice.body
    );
    // The same device again, by name or by its device token: nothing new.
    login_from(&s, "laptop", None).await;
    login_from(&s, "Renamed laptop", first["device_token"].as_str()).await;
    count_settled(&s, "alice@example.com", "new_device_notice", 1).await;
    // Another device, twice at once: one notice.
    let (a, b2) = tokio::join!(login_from(&s, "Phone", None), login_from(&s, "Phone", None));
    assert!(a["access_token"].is_string() && b2["access_token"].is_string());
    count_settled(&s, "alice@example.com", "new_device_notice", 2).await;
    // Email only: no SMS per sign-in.
    let (token, _) = s.login("alice", PASSWORD).await;
    let phone = me(&s, &token).await["phone"].as_str().unwrap().to_string();
    assert_eq!(s.count_messages(&phone, "new_device_notice"), 0);
}

async fn the_expiry_reminder_comes_once_per_password(b: Backend) {
    let tweak = |c: &mut relay_server::config::Config| {
        c.security.expiry_reminder_check_secs = 1;
        c.policy.expiry = relay_protocol::Expiry::Remind;
        // Expires in 10 days: inside the 14-day window from the start.
        c.policy.max_age_days = 10;
    };
    let s = spawn_with(b, tweak).await;
    s.add_user("alice").await;
    s.add_user_with("bob", None, Some("+8613900000000"), "zh-CN")
        .await;
    let mail = s
        .wait_message("alice@example.com", "password_expiry_reminder", 0)
        .await;
    assert!(mail.body.contains("10 days"), "{}", mail.body);
    // Several checks later, still one; bob (phone only) gets his by SMS, in Chinese.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        s.count_messages("alice@example.com", "password_expiry_reminder"),
        1
    );
    let sms: Vec<_> = s
        .outbox()
        .into_iter()
        .filter(|m| m.kind == "password_expiry_reminder" && m.to != "alice@example.com")
        .collect();
    assert_eq!(sms.len(), 1);
    assert!(sms[0].body.contains("10 天"), "{}", sms[0].body);
    // A new password is a new reminder (it expires in 10 days again).
    let (token, _) = s.login("alice", PASSWORD).await;
    let ch = s
        .post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": common::NEW_PASSWORD, "channel": "email"}),
        )
        .await
        .expect(202)
        .body;
    let code = s
        .wait_code("alice@example.com", "password_change_code", 0)
        .await;
    s.post(
        &format!(
            "/api/v1/me/password/change/{}/confirm",
            ch["challenge_id"].as_str().unwrap()
        ),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect(200);
    count_settled(&s, "alice@example.com", "password_expiry_reminder", 2).await;
}

async fn a_reset_on_a_two_step_account_needs_the_second_factor(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    s.add_user("bob").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let (_, codes) = s.enable_totp(&token).await;
    let reset = |login: &'static str, n: usize| {
        let s = &s;
        async move {
            let started = s
                .post("/api/v1/auth/password-reset", None, json!({"login": login}))
                .await
                .expect(202)
                .body;
            let id = started["reset_id"].as_str().unwrap().to_string();
            let code = s
                .wait_code(&format!("{login}@example.com"), "password_reset_code", n)
                .await;
            let verified = s
                .post(
                    &format!("/api/v1/auth/password-reset/{id}/verify"),
                    None,
                    json!({"code": code}),
                )
                .await
                .expect(200)
                .body;
            (id, verified)
        }
    };
    let (_, bob) = reset("bob", 0).await;
    assert_eq!(bob["mfa_required"], false);
    let (id, alice) = reset("alice", 0).await;
    assert_eq!(alice["mfa_required"], true);
    let complete = |body: Value| {
        let s = &s;
        let id = id.clone();
        async move {
            s.post(
                &format!("/api/v1/auth/password-reset/{id}/complete"),
                None,
                body,
            )
            .await
        }
    };
    let token = alice["reset_token"].as_str().unwrap();
    let new = common::NEW_PASSWORD;
    let r = complete(json!({"reset_token": token, "new_password": new}))
        .await
        .expect_error(400, "invalid_code");
    assert_eq!(r.body["error"]["details"]["mfa_required"], true);
    complete(json!({"reset_token": token, "new_password": new, "mfa_code": "000000"}))
        .await
        .expect_error(400, "invalid_code");
    // A refused password does not use up the recovery code.
    complete(json!({"reset_token": token, "new_password": "short", "mfa_code": codes[0]}))
        .await
        .expect_error(400, "password_policy");
    // Nothing changed so far.
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "alice", "password": PASSWORD}),
    )
    .await
    .expect(200);
    complete(json!({"reset_token": token, "new_password": new, "mfa_code": codes[0]}))
        .await
        .expect(204);
    let signed_in = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "alice", "password": new}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(signed_in["mfa_required"], true, "two-step sign-in stays on");
    let spent = s
        .post(
            "/api/v1/auth/mfa",
            None,
            json!({"mfa_token": signed_in["mfa_token"], "code": codes[0]}),
        )
        .await;
    assert_eq!(spent.code(), "invalid_code", "the recovery code was used");
}
