//! Harness for tests of the real app window: a private Xvfb display, the
//! `relay` binary on it (software rendering), xdotool to type and click,
//! ImageMagick `import` for screenshots, and relay-server in-process on
//! port 0 with a temp SQLite file and the outbox.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use relay_server::state::AppState;
pub const PASSWORD: &str = relay_testkit::PASSWORD;
pub const NEW_PASSWORD: &str = relay_testkit::NEW_PASSWORD;
use relay_testkit::Account;
/// The window's size (main.rs) inside a larger screen.
pub const SCREEN: &str = "1280x860x24";

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Server {
    pub url: String,
    pub state: AppState,
    inner: relay_testkit::Server,
    _dir: tempfile::TempDir,
}

pub async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let alice = Account {
        login: "alice",
        email: Some("alice@example.com"),
        phone: Some("+8613800138000"),
        display_name: "Alice Wang",
        password: PASSWORD,
    };
    let inner = relay_testkit::Server::with_accounts(dir.path(), &[alice], |_| {}).await;
    Server {
        url: inner.url.clone(),
        state: inner.state.clone(),
        inner,
        _dir: dir,
    }
}

impl Server {
    /// Waits for the `n`-th code (0-based) in the outbox.
    pub async fn code(&self, n: usize) -> String {
        self.inner.code(n).await
    }

    /// Sign-ins made by the app (not by this harness's checks) so far.
    pub async fn logins(&self) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM security_events WHERE kind = 'login' AND device_name LIKE 'Relay CRM%'")
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }

    pub async fn wait_logins(&self, at_least: i64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.logins().await < at_least {
            assert!(
                Instant::now() < deadline,
                "the app never signed in (expected {at_least} sign-ins)"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether `password` is alice's password now (asked over HTTP).
    pub async fn password_is(&self, password: &str) -> bool {
        let api = relay_core::Api::new(&self.url).unwrap();
        api.login("alice", password, "check").await.is_ok()
    }
}

/// A private X display for one test.
pub struct Display {
    pub name: String,
    _xvfb: Xvfb,
}

pub fn display() -> Display {
    // Xvfb picks a free display itself and writes its number to the given
    // fd (here its stdout) once it accepts connections: no two tests share a
    // screen, and a stale socket of a killed server is never mistaken for a
    // live one.
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            SCREEN,
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for GUI tests (scripts/test.sh installs it)");
    let stdout = xvfb.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("Xvfb did not start within 15 s");
    let number: u32 = line.trim().parse().expect("Xvfb said its display number");
    Display {
        name: format!(":{number}"),
        _xvfb: Xvfb(xvfb),
    }
}

/// Xvfb, ended with SIGTERM so it removes its lock file and socket (a
/// SIGKILL leaves them in /tmp).
pub struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn app_binary() -> PathBuf {
    std::env::var_os("RELAY_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_relay")))
}

pub struct AppWindow<'d> {
    pub display: &'d Display,
    /// The app's RELAY_APP_HOME (settings, data, logs).
    pub home: PathBuf,
    _home: Option<tempfile::TempDir>,
    _app: Killed,
}

/// The app with a settings folder of its own and no keyring (no bus).
pub fn launch<'d>(display: &'d Display, args: &[&str]) -> AppWindow<'d> {
    let home = tempfile::tempdir().unwrap();
    let mut window = start(display, home.path(), args, false);
    window._home = Some(home);
    window
}

/// What the app wrote to its log folder, all files together.
pub fn read_logs(home: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(home.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    all
}

/// The app with settings in `home`, and the session bus (so the OS keyring)
/// of the test process, if it has one.
pub fn launch_in<'d>(display: &'d Display, home: &Path, args: &[&str]) -> AppWindow<'d> {
    start(display, home, args, true)
}

/// The app with settings in `home` and no keyring (no bus), so a second
/// launch on the same data never signs in silently.
pub fn launch_home<'d>(display: &'d Display, home: &Path, args: &[&str]) -> AppWindow<'d> {
    start(display, home, args, false)
}

fn start<'d>(display: &'d Display, home: &Path, args: &[&str], with_bus: bool) -> AppWindow<'d> {
    let mut command = Command::new(app_binary());
    command
        .args(args)
        .env("DISPLAY", &display.name)
        .env("ICED_BACKEND", "tiny-skia")
        .env("RELAY_APP_HOME", home)
        // Everything our crates log, so the tests see any secret that
        // would reach the log files.
        .env(
            "RELAY_LOG",
            "info,relay=debug,relay_core=debug,relay_protocol=debug",
        )
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(match std::env::var_os("RELAY_TEST_APP_LOG") {
            // For debugging a GUI test: the app's log in a file.
            Some(path) => std::fs::File::create(path)
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
            None => Stdio::null(),
        });
    if !with_bus {
        command.env_remove("DBUS_SESSION_BUS_ADDRESS");
    }
    let child = command.spawn().expect("start the app");
    let window = AppWindow {
        display,
        home: home.to_path_buf(),
        _home: None,
        _app: Killed(child),
    };
    let out = window.xdotool(&["search", "--sync", "--onlyvisible", "--name", "Relay CRM"]);
    let id = out.lines().next().unwrap_or_default().to_string();
    window.xdotool(&["windowfocus", &id]);
    // First frame, fonts, focus task.
    std::thread::sleep(Duration::from_millis(1500));
    window
}

impl AppWindow<'_> {
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display.name)
            .output()
            .expect("xdotool is needed for GUI tests");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn click(&self, x: u32, y: u32) {
        self.xdotool(&["mousemove", &x.to_string(), &y.to_string(), "click", "1"]);
        std::thread::sleep(Duration::from_millis(600));
    }

    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "40", text]);
        std::thread::sleep(Duration::from_millis(200));
    }

    pub fn key(&self, key: &str) {
        self.xdotool(&["key", key]);
        // Focus moves by a task a frame later: give it time before typing on.
        std::thread::sleep(Duration::from_millis(400));
    }

    /// Takes screenshots until `check` holds for one (the last is kept as
    /// `name`): the app may take input late, so a step waits for what it
    /// needs on screen instead of a fixed pause.
    pub fn wait_for(&self, name: &str, what: &str, check: impl Fn(&image::RgbImage) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            std::thread::sleep(Duration::from_millis(300));
            if check(&self.screenshot(name)) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{what} never showed (see {name}.png)"
            );
        }
    }

    /// Saves a screenshot under target/gui-tests/ and returns it.
    pub fn screenshot(&self, name: &str) -> image::RgbImage {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gui-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .env("DISPLAY", &self.display.name)
            .status()
            .expect("ImageMagick's import is needed for GUI tests");
        assert!(status.success());
        image::open(&path).unwrap().to_rgb8()
    }
}

/// Pixels in the box (x, y, w, h) of a strong colour (the channels at least
/// `spread` apart): the avatar — initials on its colour, or a photo — as
/// against the window's whites and greys.
pub fn count_coloured(img: &image::RgbImage, area: (u32, u32, u32, u32), spread: u8) -> usize {
    let (x0, y0, w, h) = area;
    let mut n = 0;
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            let p = img.get_pixel(x, y).0;
            let (lo, hi) = (p.iter().min().unwrap(), p.iter().max().unwrap());
            if hi - lo >= spread {
                n += 1;
            }
        }
    }
    n
}

/// Pixels in the box (x, y, w, h) within `tolerance` of `rgb`.
pub fn count_colour(
    img: &image::RgbImage,
    area: (u32, u32, u32, u32),
    rgb: [u8; 3],
    tolerance: u8,
) -> usize {
    let (x0, y0, w, h) = area;
    let mut n = 0;
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            let p = img.get_pixel(x, y).0;
            if p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= tolerance) {
                n += 1;
            }
        }
    }
    n
}
