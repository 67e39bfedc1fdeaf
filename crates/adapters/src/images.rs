//! Images in members' messages, fetched to read the QR codes in them: the ad that is only a
//! picture of a WeChat or group code. Each platform says where an image's file is ([`Locate`]);
//! this module downloads it (bounded in size and time), decodes it off the async threads
//! (`steward_text::decode_qr`) and fills the image segment's `qr`, which the detectors read like
//! text and a backtest reads as the live run did.
//!
//! An image that cannot be fetched or read leaves its message as it was: the message is still
//! recorded, and judged by its text.

use std::future::Future;
use std::time::Duration;

use steward_domain::{Event, MemberRole, Segment};
use tracing::debug;

use crate::https::HttpClient;

/// The largest image fetched: a photo straight from a phone is 2–5 MB.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// How long fetching one image may take.
pub const FETCH_WITHIN: Duration = Duration::from_secs(10);
/// Images read per message at most (an album is read by its first four pictures).
pub const MAX_IMAGES: usize = 4;
/// How long the pictures of one message, or of one batch of updates, may take in all: after
/// that the rest go in unread, so that a picture server that is down holds nothing up for long.
pub const READING_BUDGET: Duration = Duration::from_secs(15);
/// QR searches running at once in the whole process (a crafted picture keeps its search busy
/// for its whole deadline, and maybe after): a picture that finds none free within a few
/// seconds is not read.
const SEARCHES: usize = 2;

/// Where one image's file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// An address, with a bearer token for a server that asks for one.
    Web { url: String, bearer: Option<String> },
    /// A file on this machine, inside the directory an operator named for it (a self-hosted
    /// Telegram Bot API server in `--local` mode keeps its files there): both paths resolved.
    Local {
        dir: std::path::PathBuf,
        file: std::path::PathBuf,
    },
}

/// How a platform finds the file of an image segment, from the `url` and `file` its adapter
/// put there (`Err` says why it cannot).
pub trait Locate {
    fn locate(
        &self,
        url: Option<&str>,
        file: Option<&str>,
    ) -> impl Future<Output = Result<Download, String>> + Send;
}

/// Whether a message has images to read: a member's message (admins and owners are exempt from
/// moderation, so their pictures are not fetched) with an image whose codes are not known yet.
pub fn wanted(event: &Event) -> bool {
    event.kind.written().is_some_and(|(sender, segments)| {
        sender.role == MemberRole::Member
            && !sender.is_bot
            && segments
                .iter()
                .any(|segment| matches!(segment, Segment::Image { qr, .. } if qr.is_empty()))
    })
}

/// Reads the QR codes of the message's images (the first [`MAX_IMAGES`]) into their segments,
/// giving up at `until`. An image that cannot be fetched or decoded in time is logged and left
/// without codes.
pub async fn read_codes(
    http: &HttpClient,
    locate: &impl Locate,
    event: &mut Event,
    until: tokio::time::Instant,
) {
    if !wanted(event) {
        return;
    }
    let Some((_, segments)) = event.kind.written_mut() else {
        return;
    };
    let images = segments
        .iter_mut()
        .filter_map(|segment| match segment {
            Segment::Image { url, file, qr } if qr.is_empty() => Some((url, file, qr)),
            _ => None,
        })
        .take(MAX_IMAGES);
    for (url, file, qr) in images {
        let read =
            tokio::time::timeout_at(until, codes(http, locate, url.as_deref(), file.as_deref()));
        match read.await {
            Ok(Ok(found)) => *qr = found,
            Ok(Err(why)) => {
                debug!(chat = %event.chat, error = %why, "an image not read for QR codes")
            }
            Err(_) => {
                debug!(chat = %event.chat, "images not read for QR codes: out of time");
                return;
            }
        }
    }
}

async fn codes(
    http: &HttpClient,
    locate: &impl Locate,
    url: Option<&str>,
    file: Option<&str>,
) -> Result<Vec<String>, String> {
    let bytes = match locate.locate(url, file).await? {
        Download::Web { url, bearer } => {
            let bearer = bearer.map(|token| format!("Bearer {token}"));
            let headers: Vec<(&str, &str)> = bearer
                .as_deref()
                .map(|value| ("Authorization", value))
                .into_iter()
                .collect();
            let (status, bytes) = http
                .bytes(&url, &headers, MAX_IMAGE_BYTES, FETCH_WITHIN)
                .await
                .map_err(|err| err.to_string())?;
            if !(200..300).contains(&status) {
                return Err(format!("HTTP {status}"));
            }
            bytes
        }
        Download::Local { dir, file } => {
            tokio::time::timeout(FETCH_WITHIN, read_local(&dir, &file))
                .await
                .map_err(|_| "the picture's file was not read in time".to_owned())??
                .into()
        }
    };
    static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(SEARCHES);
    let permit = tokio::time::timeout(Duration::from_secs(3), RUNNING.acquire())
        .await
        .map_err(|_| "too many pictures being read".to_owned())?
        .map_err(|err| err.to_string())?;
    // The permit goes with the search, and is given back when the search ends.
    permit.forget();
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            RUNNING.add_permits(1);
        }
    }
    let release = Release;
    tokio::task::spawn_blocking(move || steward_text::decode_qr_holding(&bytes, release))
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| err.to_string())
}

/// A picture's file on this machine: a regular file (a FIFO or a device would block or never
/// end) inside `dir`, at most [`MAX_IMAGE_BYTES`] (read no further). Errors do not name the path
/// (a Telegram Bot API server's holds the bot's token).
async fn read_local(dir: &std::path::Path, path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let (dir, path) = (dir.to_owned(), path.to_owned());
    tokio::task::spawn_blocking(move || {
        let named = |err: std::io::Error| format!("the picture's file: {err}");
        // Opened first and asked then: no check of the path can be overtaken by a swap.
        let file = open_without_waiting(&path).map_err(named)?;
        if !file.metadata().map_err(named)?.is_file() {
            return Err("the picture's file is not a regular file".to_owned());
        }
        // Where the open file really is, read back from it: a directory on the way swapped for
        // a link to elsewhere between the check and the open (by whoever may write in the Bot
        // API server's directory) shows here. Linux names an open file under /proc.
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let opened =
                std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).map_err(named)?;
            if !opened.starts_with(&dir) {
                return Err("the picture's file is outside local_files: not read".to_owned());
            }
        }
        let mut bytes = Vec::new();
        file.take(MAX_IMAGE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(named)?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err("the photo is too large to read".to_owned());
        }
        Ok(bytes)
    })
    .await
    .map_err(|err| err.to_string())?
}

/// Opens a file to read without waiting: a FIFO swapped in for the checked file after the check
/// would hold the open (and a blocking thread) until a writer came. Open, it is a FIFO, and the
/// open file's own check refuses it. Reading a regular file is the same either way.
fn open_without_waiting(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// One client for the images of platforms without a client of their own (OneBot's image
/// addresses point at the platform's picture servers).
pub fn shared_client() -> Option<&'static HttpClient> {
    static CLIENT: std::sync::OnceLock<Option<HttpClient>> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| HttpClient::new().ok()).as_ref()
}

/// Images whose event says where they are (OneBot's `url`).
pub struct WebAddress;

impl Locate for WebAddress {
    async fn locate(&self, url: Option<&str>, _file: Option<&str>) -> Result<Download, String> {
        web_address(url)
    }
}

/// The address of an image that comes with one (OneBot's `url`): `http(s)://` only, so that a
/// payload cannot point Steward at a file on its own machine.
pub fn web_address(url: Option<&str>) -> Result<Download, String> {
    match url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(Download::Web {
                url: url.to_owned(),
                bearer: None,
            })
        }
        Some(_) => Err("the image's address is not http(s)".to_owned()),
        None => Err("the image has no address".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use steward_domain::{AccountId, ChatId, EventKind, MemberProfile, Platform, UserId};

    fn message(role: MemberRole, segments: Vec<Segment>) -> Event {
        Event {
            platform: Platform::OneBot,
            account: AccountId("1".into()),
            chat: ChatId("2".into()),
            id: Some("3".into()),
            time: Utc::now(),
            kind: EventKind::Message {
                sender: MemberProfile {
                    id: UserId("4".into()),
                    name: "m".into(),
                    nickname: None,
                    role,
                    is_bot: false,
                },
                segments,
                reply_to: None,
            },
        }
    }

    fn image(qr: Vec<String>) -> Segment {
        Segment::Image {
            url: Some("https://example.com/a.png".into()),
            file: None,
            qr,
        }
    }

    #[test]
    fn only_members_images_not_yet_read_are_wanted() {
        assert!(wanted(&message(MemberRole::Member, vec![image(vec![])])));
        assert!(!wanted(&message(MemberRole::Admin, vec![image(vec![])])));
        assert!(!wanted(&message(MemberRole::Owner, vec![image(vec![])])));
        assert!(!wanted(&message(
            MemberRole::Member,
            vec![image(vec!["https://u.wechat.com/x".into()])]
        )));
        assert!(!wanted(&message(
            MemberRole::Member,
            vec![Segment::text("no picture")]
        )));
    }

    /// A picture server that takes the connection and never answers holds the message no
    /// longer than its deadline.
    #[tokio::test]
    async fn a_silent_picture_server_is_given_up_on_at_the_deadline() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/a.png", listener.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let mut event = message(
            MemberRole::Member,
            vec![Segment::Image {
                url: Some(url),
                file: None,
                qr: Vec::new(),
            }],
        );
        let http = HttpClient::new().unwrap();
        let started = tokio::time::Instant::now();
        let until = started + Duration::from_millis(300);
        read_codes(&http, &WebAddress, &mut event, until).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(wanted(&event), "no codes were read");
        held.abort();
    }

    /// The file read is the one inside the directory, whatever its path said when it was
    /// checked: a path that leads elsewhere by the time it is opened is refused.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_local_file_is_read_only_from_inside_its_directory() {
        let root = std::env::temp_dir().join(format!("steward-local-{}", std::process::id()));
        let (inside, outside) = (root.join("files"), root.join("elsewhere"));
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        // Both resolved, as `local_files` is before it gets here.
        let inside = inside.canonicalize().unwrap();
        std::fs::write(inside.join("a.png"), b"inside").unwrap();
        std::fs::write(outside.join("a.png"), b"outside").unwrap();
        // A link inside the directory to a file outside it: the check saw its path, the open
        // goes where it points.
        std::os::unix::fs::symlink(outside.join("a.png"), inside.join("b.png")).unwrap();
        let read = |file: &str| {
            let (dir, path) = (inside.clone(), inside.join(file));
            async move { read_local(&dir, &path).await }
        };
        assert_eq!(read("a.png").await.unwrap(), b"inside");
        let refused = read("b.png").await.unwrap_err();
        assert!(refused.contains("outside local_files"), "{refused}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A FIFO (what a path can be swapped for between the check and the open) is opened at
    /// once and refused, not waited on until a writer comes.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_not_waited_on() {
        let root = std::env::temp_dir().join(format!("steward-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let fifo = root.join("a.png");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let (done, opened) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = done.send(open_without_waiting(&path).map(|file| file.metadata()));
        });
        let metadata = opened
            .recv_timeout(Duration::from_secs(5))
            .expect("opening a FIFO waited for a writer")
            .unwrap()
            .unwrap();
        assert!(!metadata.is_file());
        let regular = root.join("b.png");
        std::fs::write(&regular, b"picture").unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut open_without_waiting(&regular).unwrap(), &mut bytes)
            .unwrap();
        assert_eq!(bytes, b"picture");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn only_web_addresses_are_fetched() {
        assert!(web_address(Some("https://gchat.qpic.cn/x")).is_ok());
        assert!(web_address(Some("http://127.0.0.1:5700/img")).is_ok());
        assert!(web_address(Some("file:///etc/passwd")).is_err());
        assert!(web_address(Some("/tmp/a.png")).is_err());
        assert!(web_address(None).is_err());
    }
}
