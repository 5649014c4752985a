//! Opening one studio connection: TCP (this module resolves and connects,
//! so the loopback rule is checked on the addresses actually used), then
//! TLS when the URL asks for it, then the driver's startup, behind a guard
//! that reads what the server asks for before the driver does.
//!
//! The driver (tokio-postgres) answers a request for a cleartext or MD5
//! password by sending it, and its configuration cannot forbid that without
//! TLS (`channel_binding=require` refuses every non-SCRAM request, but
//! also every login without TLS). So the guard refuses such a request
//! itself: the driver never sees it, and the password is never sent. Over
//! TLS the driver's own channel-binding requirement refuses them too.

use deadpool_postgres::Connect;
use futures_util::future::BoxFuture;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, NoTls, TlsConnect, TlsStream};

/// Why a connection was refused before the password could leave (the
/// message a `StudioError::Refused` carries).
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

pub(crate) const CLEARTEXT_REFUSED: &str = "the server asked for the password in clear text, which anyone on the network path could read; \
     Loova Desk sends a studio password only through SCRAM-SHA-256, so it was not sent. Set password_encryption = scram-sha-256 and \
     scram-sha-256 in pg_hba.conf on the server, then set the role's password again";
pub(crate) const MD5_REFUSED: &str = "the server asked for an MD5 password hash, which an eavesdropper can replay and crack; \
     Loova Desk sends a studio password only through SCRAM-SHA-256, so it was not sent. Set password_encryption = scram-sha-256 and \
     scram-sha-256 in pg_hba.conf on the server, then set the role's password again";

/// How the pool opens connections to one studio database.
pub(crate) struct StudioConnect {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `None`: no TLS (this computer, or chosen); the TLS connector otherwise.
    pub(crate) tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    /// No TLS to a host that is not this computer, chosen by the person.
    pub(crate) plain_chosen: bool,
    pub(crate) timeout: Duration,
}

impl Connect for StudioConnect {
    fn connect(&self, pg: &tokio_postgres::Config) -> BoxFuture<'_, Result<(tokio_postgres::Client, JoinHandle<()>), tokio_postgres::Error>> {
        let pg = pg.clone();
        Box::pin(async move {
            let tcp = match self.tcp().await {
                Ok(tcp) => tcp,
                Err(e) => return Err(driver_error(e).await),
            };
            match &self.tls {
                Some(maker) => {
                    let tls = match MakeTlsConnect::<TcpStream>::make_tls_connect(&mut maker.clone(), &self.host) {
                        Ok(tls) => tls,
                        Err(never) => match never {},
                    };
                    let (client, conn) = pg.connect_raw(tcp, Guarded(tls)).await?;
                    Ok((client, tokio::spawn(async move { drop(conn.await) })))
                }
                None => {
                    let (client, conn) = pg.connect_raw(AuthGuard::new(tcp), NoTls).await?;
                    Ok((client, tokio::spawn(async move { drop(conn.await) })))
                }
            }
        })
    }
}

impl StudioConnect {
    /// The TCP connection, to the first address that answers; without TLS
    /// only to loopback addresses unless chosen (a host name that resolves
    /// elsewhere is refused, whatever it is called).
    async fn tcp(&self) -> io::Result<TcpStream> {
        let addrs: Vec<_> = tokio::time::timeout(self.timeout, tokio::net::lookup_host((self.host.as_str(), self.port)))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, format!("{} did not resolve within {} s", self.host, self.timeout.as_secs())))??
            .collect();
        if self.tls.is_none() && !self.plain_chosen {
            if let Some(far) = addrs.iter().find(|a| !a.ip().to_canonical().is_loopback()) {
                return Err(io::Error::other(Refusal(format!(
                    "without TLS Loova Desk connects only to this computer, and {} is {}; remove sslmode=disable so TLS is used",
                    self.host,
                    far.ip()
                ))));
            }
        }
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{} has no address", self.host));
        for addr in addrs {
            match tokio::time::timeout(self.timeout, TcpStream::connect(addr)).await {
                Ok(Ok(tcp)) => {
                    let _ = tcp.set_nodelay(true);
                    // A half-open connection (network split) is noticed by the
                    // kernel instead of hanging a query forever.
                    let keepalive = socket2::TcpKeepalive::new().with_time(Duration::from_secs(10));
                    let _ = socket2::SockRef::from(&tcp).set_tcp_keepalive(&keepalive);
                    return Ok(tcp);
                }
                Ok(Err(e)) => last = e,
                Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, format!("{addr} did not answer within {} s", self.timeout.as_secs())),
            }
        }
        Err(last)
    }
}

/// The driver's error for a failure before it was involved: it has no
/// public constructor, so the failure is handed to it as its stream's.
async fn driver_error(e: io::Error) -> tokio_postgres::Error {
    let failing = Failing(Some(e));
    match tokio_postgres::Config::new().user("-").connect_raw(failing, NoTls).await {
        Err(e) => e,
        Ok(_) => unreachable!("a stream that fails every call cannot log in"),
    }
}

struct Failing(Option<io::Error>);

impl Failing {
    fn take(&mut self) -> io::Error {
        self.0.take().unwrap_or_else(|| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl AsyncRead for Failing {
    fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, _: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.get_mut().take()))
    }
}

impl AsyncWrite for Failing {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(self.get_mut().take()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Err(self.get_mut().take()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The TLS connector, with the guard over the decrypted stream.
struct Guarded<T>(T);

impl<T> TlsConnect<TcpStream> for Guarded<T>
where
    T: TlsConnect<TcpStream> + Send + 'static,
    T::Future: Send + 'static,
{
    type Stream = AuthGuard<T::Stream>;
    type Error = T::Error;
    type Future = BoxFuture<'static, Result<AuthGuard<T::Stream>, T::Error>>;

    fn connect(self, stream: TcpStream) -> Self::Future {
        let handshake = self.0.connect(stream);
        Box::pin(async move { handshake.await.map(AuthGuard::new) })
    }
}

/// A stream that reads the server's messages up to the end of
/// authentication and fails, before the driver sees it, on a request for a
/// cleartext (3) or MD5 (5) password.
pub(crate) struct AuthGuard<S> {
    inner: S,
    watch: AuthWatch,
}

impl<S> AuthGuard<S> {
    pub(crate) fn new(inner: S) -> AuthGuard<S> {
        AuthGuard { inner, watch: AuthWatch::default() }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for AuthGuard<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(why) = this.watch.refused {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::PermissionDenied, Refusal(why.to_string()))));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if let Err(why) = this.watch.inspect(&buf.filled()[before..]) {
            // The request never reaches the driver, so it cannot answer it.
            buf.set_filled(before);
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::PermissionDenied, Refusal(why.to_string()))));
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for AuthGuard<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S: TlsStream + Unpin> TlsStream for AuthGuard<S> {
    fn channel_binding(&self) -> ChannelBinding {
        self.inner.channel_binding()
    }
}

/// Follows the backend messages (type byte, big-endian length counting
/// itself, body) until authentication succeeds or fails.
#[derive(Default)]
struct AuthWatch {
    /// The current message's first bytes: type, length, and for an
    /// authentication request ('R') its kind.
    header: Vec<u8>,
    /// Body bytes of the current message still to pass over.
    skip: usize,
    done: bool,
    refused: Option<&'static str>,
}

impl AuthWatch {
    fn inspect(&mut self, mut bytes: &[u8]) -> Result<(), &'static str> {
        while !self.done && !bytes.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(bytes.len());
                self.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            // The type and length, then for an authentication request its kind.
            let need = |header: &[u8]| if header.first() == Some(&b'R') { 9 } else { 5 };
            while self.header.len() < need(&self.header) && !bytes.is_empty() {
                let n = (need(&self.header) - self.header.len()).min(bytes.len());
                self.header.extend_from_slice(&bytes[..n]);
                bytes = &bytes[n..];
            }
            if self.header.len() < need(&self.header) {
                break;
            }
            let len = u32::from_be_bytes([self.header[1], self.header[2], self.header[3], self.header[4]]) as usize;
            let body_seen = self.header.len() - 5;
            if len < 4 + body_seen {
                return self.refuse("the server sent a malformed message during login, so the password was not sent");
            }
            match self.header[0] {
                b'R' => match i32::from_be_bytes([self.header[5], self.header[6], self.header[7], self.header[8]]) {
                    0 => self.done = true,
                    3 => return self.refuse(CLEARTEXT_REFUSED),
                    5 => return self.refuse(MD5_REFUSED),
                    _ => {}
                },
                // An error ends the login; nothing more to watch.
                b'E' => self.done = true,
                _ => {}
            }
            self.skip = len - 4 - body_seen;
            self.header.clear();
        }
        Ok(())
    }

    fn refuse(&mut self, why: &'static str) -> Result<(), &'static str> {
        self.refused = Some(why);
        Err(why)
    }
}

/// The refusal in a driver or pool error's chain of causes, if any.
pub(crate) fn refusal_in(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(r) = e.downcast_ref::<Refusal>() {
            return Some(r.0.clone());
        }
        if let Some(r) = e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()).and_then(|inner| inner.downcast_ref::<Refusal>()) {
            return Some(r.0.clone());
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    fn auth(code: i32, rest: &[u8]) -> Vec<u8> {
        let mut body = code.to_be_bytes().to_vec();
        body.extend_from_slice(rest);
        msg(b'R', &body)
    }

    /// Feeds `stream` in pieces of `step` bytes.
    fn feed(stream: &[u8], step: usize) -> Result<(), &'static str> {
        let mut w = AuthWatch::default();
        stream.chunks(step).try_for_each(|c| w.inspect(c))
    }

    #[test]
    fn cleartext_and_md5_requests_are_refused_however_the_bytes_arrive() {
        let notice = msg(b'N', b"SNOTICE\0Mhello\0\0");
        for step in [1, 2, 3, 7, 1000] {
            let cleartext = [notice.clone(), auth(3, b"")].concat();
            assert_eq!(feed(&cleartext, step), Err(CLEARTEXT_REFUSED), "step {step}");
            assert_eq!(feed(&auth(5, b"salt"), step), Err(MD5_REFUSED), "step {step}");
        }
    }

    #[test]
    fn scram_and_what_follows_a_successful_login_pass() {
        let scram = [
            auth(10, b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"),
            auth(11, b"r=nonce,s=salt,i=4096"),
            auth(12, b"v=proof"),
            auth(0, b""),
            // After login anything may follow, even bytes that look like a request.
            auth(3, b""),
        ]
        .concat();
        for step in [1, 4, 9, 1000] {
            assert_eq!(feed(&scram, step), Ok(()), "step {step}");
        }
        assert_eq!(feed(&[msg(b'E', b"SFATAL\0Mno\0\0"), auth(3, b"")].concat(), 3), Ok(()), "an error ends the login");
    }

    #[test]
    fn a_malformed_length_is_refused() {
        assert!(feed(&[b'R', 0, 0, 0, 2, 0, 0, 0, 3], 1).is_err());
    }
}
