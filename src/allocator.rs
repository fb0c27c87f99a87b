//! glibc's allocator, set for an app that builds a list of 100 000 rows on
//! worker threads and then keeps it. With its defaults, glibc gives each
//! thread that allocates an arena of its own (up to eight per core): what a
//! sync or a section read frees stays in that thread's arena, resident,
//! around the blocks still in use. Two arenas keep about 10 MB less
//! resident with the Customers list of 100 000 open (BENCHMARKS.md). (Blocks
//! over 128 KiB always mapped on their own saved a little more, but made
//! the UI thread's update that takes the list 4-6 ms instead of 0.5-1 ms:
//! not taken.)
//!
//! The setting is one of glibc's documented tunables, which it reads from
//! the environment when a process starts; `mallopt`, the other way, needs
//! `unsafe`, which the workspace forbids. So the app starts itself once
//! more at once, same process (exec), with it set. Elsewhere (macOS,
//! Windows, musl) there is nothing to do.

/// The tunables, unless the environment sets glibc's malloc already.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    use std::os::unix::process::CommandExt;
    const TUNABLES: &str = "glibc.malloc.arena_max=2";
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    // Set by someone who knows better, or by this start's first exec.
    if current.contains("glibc.malloc.") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let tunables = if current.is_empty() {
        TUNABLES.to_string()
    } else {
        format!("{current}:{TUNABLES}")
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    // Only returns when the exec failed (the binary replaced meanwhile,
    // say): then the app runs on as it is, with glibc's defaults.
    let _failed = command.args(args).env("GLIBC_TUNABLES", tunables).exec();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
