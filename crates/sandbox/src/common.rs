//! What the AAT, MX and Ideamart simulators share: their state behind one lock with a
//! clock, a loopback server that stops when dropped, and a body that breaks the
//! connection half way (the "dropped after recording" fault).

use crate::clock::Clock;
use axum::body::Bytes;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// A simulator's state, its clock, and an HTTP client for the calls it makes out
/// (call-backs, notifications).
pub(crate) struct Shared<I> {
    inner: Mutex<I>,
    pub clock: Arc<dyn Clock>,
    pub http: reqwest::Client,
}

impl<I> Shared<I> {
    pub fn new(inner: I, clock: Arc<dyn Clock>) -> std::io::Result<Arc<Shared<I>>> {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().map_err(std::io::Error::other)?;
        Ok(Arc::new(Shared { inner: Mutex::new(inner), clock, http }))
    }

    /// The state; a panic elsewhere while holding it leaves it usable.
    pub fn lock(&self) -> MutexGuard<'_, I> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A server on a free loopback port; dropping it stops it.
pub(crate) struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    pub async fn start(app: Router) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            use axum::serve::ListenerExt;
            // Answers go out at once (no Nagle delay), as a real service's do.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Server { addr, stop: Some(stop) })
    }

    /// Stops the server: when this returns, a new connection to it is refused (a test
    /// that stops a provider gets no answer from it after this, however busy the
    /// machine is).
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
            wait_until_refused(self.addr);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Dropped: the signal only; nobody waits for the port.
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Waits (at most 5 s) until connecting to `addr` is refused: the server task has seen
/// its stop signal and closed its listener. On a runtime of one thread that task cannot
/// run while this waits, so it does not wait there: the caller's next await lets it.
pub(crate) fn wait_until_refused(addr: SocketAddr) {
    let wait = || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(200)).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    };
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
        Ok(_) => {}
        Err(_) => wait(),
    }
}

/// A body that sends `start` and then breaks the connection.
pub(crate) struct BrokenBody {
    start: Option<&'static [u8]>,
}

impl BrokenBody {
    pub fn new(start: &'static [u8]) -> BrokenBody {
        BrokenBody { start: Some(start) }
    }
}

impl futures_core::Stream for BrokenBody {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, _cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        match self.start.take() {
            Some(b) => std::task::Poll::Ready(Some(Ok(Bytes::from_static(b)))),
            None => std::task::Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sandbox drops the connection")))),
        }
    }
}
