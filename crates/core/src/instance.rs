//! One Relay per user and data folder. Two processes must never open one
//! encrypted store at once, so the first start takes an OS file lock
//! (`instance.lock`, held until the process ends, crash included) and listens
//! on a loopback port for later starts; a second start finds the lock taken,
//! asks the first to bring its window forward, and exits.
//!
//! The port and a random token are in `instance.json` (0600): only this user
//! can read the token, so no other local user can poke the window.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

const LOCK_FILE: &str = "instance.lock";
const ADDRESS_FILE: &str = "instance.json";
/// A second start waits this long for the first to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// What [`claim`] found.
pub enum Claim {
    /// This is the only Relay: keep the lock for the life of the process;
    /// `activations` yields once each time a later start asks for the window.
    First {
        lock: InstanceLock,
        activations: UnboundedReceiver<()>,
    },
    /// Another Relay has the folder. `brought_forward`: it answered (its
    /// window is coming forward); false when it did not in time.
    Running { brought_forward: bool },
}

/// Held by the first instance; the OS drops the lock when the process ends.
pub struct InstanceLock {
    _file: std::fs::File,
}

#[derive(Serialize, Deserialize)]
struct Address {
    port: u16,
    token: String,
}

/// Takes the folder's instance lock, or asks the instance holding it to come
/// forward.
pub fn claim(dir: &Path) -> std::io::Result<Claim> {
    crate::vault::private_dir(dir)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK_FILE))?;
    match file.try_lock() {
        Ok(()) => {
            let activations = listen(dir)?;
            Ok(Claim::First {
                lock: InstanceLock { _file: file },
                activations,
            })
        }
        Err(std::fs::TryLockError::WouldBlock) => Ok(Claim::Running {
            brought_forward: knock(dir).is_ok(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

fn listen(dir: &Path) -> std::io::Result<UnboundedReceiver<()>> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let mut raw = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut raw);
    let address = Address {
        port: listener.local_addr()?.port(),
        token: hex::encode(raw),
    };
    // A stale file of a crashed instance is replaced: the lock says it is gone.
    let path = dir.join(ADDRESS_FILE);
    let _ = std::fs::remove_file(&path);
    let mut out = crate::vault::private_file(&path)?;
    out.write_all(&serde_json::to_vec(&address).map_err(std::io::Error::other)?)?;
    out.sync_all()?;
    let (send, receive) = unbounded_channel();
    std::thread::Builder::new()
        .name("relay-instance".into())
        .spawn(move || serve(listener, address.token, send))?;
    Ok(receive)
}

fn serve(listener: TcpListener, token: String, activations: UnboundedSender<()>) {
    for stream in listener.incoming().flatten() {
        if answer(stream, &token).unwrap_or(false) && activations.send(()).is_err() {
            return; // the app is gone
        }
    }
}

/// Reads one line; the right token gets "ok" and counts as an activation.
fn answer(stream: TcpStream, token: &str) -> std::io::Result<bool> {
    stream.set_read_timeout(Some(ANSWER_WITHIN))?;
    let line = read_line_bounded(&stream, 128)?;
    let right = line.trim_end() == token;
    if right {
        (&stream).write_all(b"ok\n")?;
    }
    Ok(right)
}

fn knock(dir: &Path) -> std::io::Result<()> {
    let text = std::fs::read(dir.join(ADDRESS_FILE))?;
    let address: Address = serde_json::from_slice(&text).map_err(std::io::Error::other)?;
    let mut stream = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, address.port)),
        ANSWER_WITHIN,
    )?;
    stream.set_read_timeout(Some(ANSWER_WITHIN))?;
    stream.write_all(format!("{}\n", address.token).as_bytes())?;
    if read_line_bounded(&stream, 8)?.trim_end() == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other("the running instance did not answer"))
    }
}

/// One line of at most `limit` bytes, so a stranger's endless line costs
/// nothing.
fn read_line_bounded(stream: &TcpStream, limit: u64) -> std::io::Result<String> {
    let mut line = String::new();
    BufReader::new(std::io::Read::take(stream, limit)).read_line(&mut line)?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_finds_the_first_and_brings_it_forward() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First {
            lock,
            mut activations,
        } = claim(dir.path()).unwrap()
        else {
            panic!("the first claim must win");
        };
        for _ in 0..3 {
            match claim(dir.path()).unwrap() {
                Claim::Running { brought_forward } => assert!(brought_forward),
                Claim::First { .. } => panic!("two instances on one folder"),
            }
            assert!(activations.blocking_recv().is_some());
        }
        // Gone (crashed or quit): the next start is first again.
        drop(lock);
        drop(activations);
        assert!(matches!(claim(dir.path()).unwrap(), Claim::First { .. }));
    }

    #[test]
    fn a_running_instance_that_does_not_answer_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        // Another process holds the lock but listens nowhere (hung, or
        // still starting): its address file names a port nobody serves.
        let holder = std::fs::File::create(dir.path().join(LOCK_FILE)).unwrap();
        holder.lock().unwrap();
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        std::fs::write(
            dir.path().join(ADDRESS_FILE),
            serde_json::to_vec(&Address {
                port,
                token: "t".into(),
            })
            .unwrap(),
        )
        .unwrap();
        assert!(matches!(
            claim(dir.path()).unwrap(),
            Claim::Running {
                brought_forward: false
            }
        ));
    }

    #[test]
    fn a_wrong_token_is_no_activation() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First {
            lock: _lock,
            mut activations,
        } = claim(dir.path()).unwrap()
        else {
            panic!("the first claim must win");
        };
        let text = std::fs::read(dir.path().join(ADDRESS_FILE)).unwrap();
        let address: Address = serde_json::from_slice(&text).unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", address.port)).unwrap();
        stream.write_all(b"not-the-token\n").unwrap();
        let mut reply = String::new();
        let _ = BufReader::new(stream).read_line(&mut reply);
        assert_eq!(reply, "", "a stranger gets no answer");
        assert!(activations.try_recv().is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(ADDRESS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the token is for this user only");
        }
    }
}
