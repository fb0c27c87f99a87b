//! Account settings in the real window (Xvfb, xdotool) against the real
//! server: two-step sign-in turned on from the QR code on screen — read by
//! `zbarimg` from a screenshot, codes made by `oathtool` — then signing in
//! with a TOTP code and with a recovery code (copied from the dialog),
//! which then no longer works; the email changed with the code from the
//! outbox; a photo picked and shown in the avatar button.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

// Where things are in the 1180×800 window, with the bundled font.
const AVATAR: (u32, u32) = (1142, 24);
const MENU_PERSONAL: (u32, u32) = (1000, 135);
const MENU_SECURITY: (u32, u32) = (1000, 202);
const MENU_SIGN_OUT: (u32, u32) = (1000, 272);
const TURN_ON: (u32, u32) = (1099, 233);
/// The test photo's colour: in the avatar button once it is saved.
const PHOTO: [u8; 3] = [0, 200, 120];
const CHANGE_PHOTO: (u32, u32) = (475, 162);
const USE_PHOTO: (u32, u32) = (726, 622);
const REMOVE_PHOTO: (u32, u32) = (595, 162);
const COPY: (u32, u32) = (511, 484);
const TICK: (u32, u32) = (378, 547);
const DONE: (u32, u32) = (783, 581);
/// Mouse-wheel steps that bring the Verification card into view.
const SCROLL_TO_VERIFICATION: usize = 60;
/// The email line's "Change…", with the page scrolled to its end.
const CHANGE_EMAIL: (u32, u32) = (1005, 192);

fn shot_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/gui-tests")
        .join(format!("{name}.png"))
}

fn pause(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

fn tool(program: &str, args: &[&str], display: Option<&str>) -> String {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(d) = display {
        command.env("DISPLAY", d);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed (scripts/test.sh installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The TOTP code of the next 30-second step (each step's code is taken once).
fn next_totp(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    pause((30 - now % 30 + 1) * 1000);
    tool("oathtool", &["--totp", "-b", secret], None)
}

fn sign_in(window: &AppWindow<'_>, password: &str) {
    window.type_text("alice");
    window.key("Tab");
    window.type_text(password);
    window.key("Return");
}

/// Finds `label`'s on-screen box by looking for the text in the picture is
/// beyond this harness; instead each step screenshots, so a moved button
/// shows in target/gui-tests/.
fn open_security(window: &AppWindow<'_>) {
    window.click(AVATAR.0, AVATAR.1);
    window.click(MENU_SECURITY.0, MENU_SECURITY.1);
    pause(1200);
}

fn sign_out(window: &AppWindow<'_>) {
    window.click(AVATAR.0, AVATAR.1);
    window.click(MENU_SIGN_OUT.0, MENU_SIGN_OUT.1);
    pause(1000);
}

/// Waits until the server has started `n` two-step sign-ins: the app shows
/// the code step then.
async fn wait_code_step(server: &Server, n: i64) {
    wait_until("the two-step code step", || async {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM challenges WHERE purpose = 'mfa_login'")
                .fetch_one(&server.state.db.pool)
                .await
                .unwrap();
        count >= n
    })
    .await;
    pause(800);
}

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_from_the_qr_code_on_screen_then_email_and_photo() {
    let server = server().await;
    let display = display();
    let window = launch(&display, &["--server", &server.url, "--lang", "en-US"]);
    sign_in(&window, PASSWORD);
    server.wait_logins(1).await;
    pause(1000);
    open_security(&window);
    window.screenshot("a01-security");

    // Two-step sign-in: the checkup's "Turn on…", the password, the QR code.
    window.click(TURN_ON.0, TURN_ON.1);
    window.type_text(PASSWORD);
    window.key("Return");
    // The password is checked on the server (Argon2): read the screen until
    // the QR code is on it.
    let png = shot_path("a02-two-step-qr");
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = loop {
        pause(500);
        window.screenshot("a02-two-step-qr");
        let out = Command::new("zbarimg")
            .args(["--raw", "-q", png.to_str().unwrap()])
            .output()
            .expect("zbarimg is needed (scripts/test.sh installs it)");
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no QR code on screen (a02-two-step-qr.png)"
        );
    };
    assert!(url.starts_with("otpauth://totp/"), "{url}");
    let secret = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("secret="))
        .expect("the QR code carries the secret")
        .to_string();
    let code = tool("oathtool", &["--totp", "-b", &secret], None);
    window.type_text(&code);
    window.key("Return");
    pause(1500);
    window.screenshot("a03-recovery-codes");
    // Copy, then read them back from the clipboard as a user pastes them.
    window.click(COPY.0, COPY.1);
    let copied = tool(
        "xclip",
        &["-o", "-selection", "clipboard"],
        Some(&display.name),
    );
    let codes: Vec<String> = copied
        .lines()
        .map(str::trim)
        .filter(|l| l.len() == 12 && l.matches('-').count() == 2)
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 10, "ten codes on the clipboard: {copied}");
    // Done only counts once "I have saved these codes" is ticked.
    window.click(DONE.0, DONE.1);
    window.screenshot("a04-not-ticked");
    window.click(TICK.0, TICK.1);
    window.click(DONE.0, DONE.1);
    pause(1000);
    window.screenshot("a05-two-step-on");
    let (on,): (i64,) = sqlx::query_as("SELECT mfa_enabled FROM users WHERE login = 'alice'")
        .fetch_one(&server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(on, 1, "two-step sign-in is on");

    // Sign in again: the password, then a code from the authenticator.
    sign_out(&window);
    sign_in(&window, PASSWORD);
    wait_code_step(&server, 1).await;
    window.screenshot("a06-asks-for-the-code");
    let before = server.logins().await;
    window.type_text(&next_totp(&secret));
    window.key("Return");
    server.wait_logins(before + 1).await;
    pause(800);
    // And with a recovery code, once.
    sign_out(&window);
    sign_in(&window, PASSWORD);
    wait_code_step(&server, 2).await;
    window.type_text(&codes[0]);
    window.key("Return");
    server.wait_logins(before + 2).await;
    pause(800);
    sign_out(&window);
    sign_in(&window, PASSWORD);
    wait_code_step(&server, 3).await;
    window.type_text(&codes[0]);
    window.key("Return");
    pause(2000);
    window.screenshot("a07-spent-recovery-code");
    assert_eq!(
        server.logins().await,
        before + 2,
        "a used code does not sign in"
    );
    window.key("ctrl+a");
    window.type_text(&codes[1]);
    window.key("Return");
    server.wait_logins(before + 3).await;
    pause(1000);

    // A new email: the Verification card's "Change…", the address and the
    // password, then the code the server sent to the new address.
    open_security(&window);
    window.xdotool(&["mousemove", "700", "500"]);
    window.xdotool(&[
        "click",
        "--repeat",
        &SCROLL_TO_VERIFICATION.to_string(),
        "--delay",
        "30",
        "5",
    ]);
    // Click only once the page shows the scroll ("Change…" of the email row
    // is where the test clicks): the app may take the wheel events late.
    window.wait_for("a08-verification", "the Verification card", |shot| {
        let (x0, y0) = (CHANGE_EMAIL.0 - 30, CHANGE_EMAIL.1 - 7);
        (x0..x0 + 60)
            .flat_map(|x| (y0..y0 + 14).map(move |y| (x, y)))
            .filter(|&(x, y)| shot.get_pixel(x, y).0.iter().all(|c| *c < 140))
            .count()
            > 20
    });
    window.click(CHANGE_EMAIL.0, CHANGE_EMAIL.1);
    pause(800);
    window.type_text("alice.wang@example.org");
    window.key("Tab");
    window.type_text(PASSWORD);
    window.screenshot("a09-new-email");
    window.key("Return");
    let code = server.code(0).await;
    pause(800);
    window.screenshot("a10-email-code");
    window.type_text(&code);
    window.key("Return");
    wait_until("the email change", || async {
        let (email,): (Option<String>,) =
            sqlx::query_as("SELECT email FROM users WHERE login = 'alice'")
                .fetch_one(&server.state.db.pool)
                .await
                .unwrap();
        email.as_deref() == Some("alice.wang@example.org")
    })
    .await;
    pause(800);
    window.screenshot("a11-email-changed");

    // A photo: Personal info → "Change photo…".
    let picture = tempfile::tempdir().unwrap();
    let file = picture.path().join("me.png");
    image::RgbImage::from_pixel(600, 400, image::Rgb(PHOTO))
        .save(&file)
        .unwrap();
    window.click(AVATAR.0, AVATAR.1);
    window.click(MENU_PERSONAL.0, MENU_PERSONAL.1);
    pause(800);
    window.screenshot("a12-personal-info");
    window.click(CHANGE_PHOTO.0, CHANGE_PHOTO.1);
    // Without a file dialog the app offers a path entry once rfd has given
    // up, which can take a while on a busy machine: type only when it shows
    // (its red line under the field).
    window.wait_for("a13-photo-dialog", "the path entry", |shot| {
        count_coloured(shot, (416, 214, 450, 18), 80) > 50
    });
    window.type_text(file.to_str().unwrap());
    window.key("Return");
    window.wait_for("a14-photo-crop", "the crop dialog", |shot| {
        count_colour(shot, (480, 230, 220, 220), PHOTO, 24) > 10_000
    });
    window.click(USE_PHOTO.0, USE_PHOTO.1);
    wait_until("the photo upload", || async {
        let (version,): (Option<String>,) =
            sqlx::query_as("SELECT avatar_version FROM users WHERE login = 'alice'")
                .fetch_one(&server.state.db.pool)
                .await
                .unwrap();
        version.is_some()
    })
    .await;
    pause(1500);
    let shot = window.screenshot("a15-photo-saved");
    assert!(
        count_colour(&shot, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), PHOTO, 24) > 200,
        "the photo is in the avatar button"
    );
    assert!(
        count_colour(&shot, (300, 126, 96, 96), PHOTO, 24) > 4000,
        "and on Personal info"
    );

    // Another device: after its sign-in the photo comes from the server.
    let other = launch(&display, &["--server", &server.url, "--lang", "zh-CN"]);
    // Two windows and no window manager: the keyboard goes to the newest
    // one, the one on top (xdotool lists it last).
    let ids = other.xdotool(&["search", "--onlyvisible", "--name", "Relay CRM"]);
    let newest = ids.lines().last().unwrap_or_default().to_string();
    other.xdotool(&["windowraise", &newest]);
    other.xdotool(&["windowfocus", "--sync", &newest]);
    other.click(590, 358);
    sign_in(&other, PASSWORD);
    wait_code_step(&server, 4).await;
    let logins = server.logins().await;
    other.type_text(&codes[2]);
    other.key("Return");
    server.wait_logins(logins + 1).await;
    pause(2000);
    let there = other.screenshot("a16-photo-on-another-device");
    assert!(
        count_colour(&there, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), PHOTO, 24) > 200,
        "the photo shows on the other device"
    );
    drop(other);

    // "Remove photo": initials again.
    let ids = window.xdotool(&["search", "--onlyvisible", "--name", "Relay CRM"]);
    let first = ids.lines().next().unwrap_or_default().to_string();
    window.xdotool(&["windowfocus", "--sync", &first]);
    window.click(REMOVE_PHOTO.0, REMOVE_PHOTO.1);
    wait_until("the photo removal", || async {
        let (version,): (Option<String>,) =
            sqlx::query_as("SELECT avatar_version FROM users WHERE login = 'alice'")
                .fetch_one(&server.state.db.pool)
                .await
                .unwrap();
        version.is_none()
    })
    .await;
    pause(1000);
    let gone = window.screenshot("a17-photo-removed");
    assert_eq!(
        count_colour(&gone, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), PHOTO, 24),
        0,
        "initials again"
    );
    assert!(count_coloured(&gone, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), 80) > 100);
}
