//! How a studio connection is protected. The password must never reach
//! someone on the network path, so TLS is on by default and its certificate
//! is always verified: against Mozilla's roots (managed databases), or
//! against the certificate authority in an `sslrootcert` file (a
//! self-hosted server). A connection without TLS is made only to this
//! computer (loopback: nothing crosses a network), or to another host when
//! the person chose it explicitly (`--insecure-no-tls`, the form's box).

use super::StudioError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The protection a studio URL asks for, after the rules were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tls {
    /// No TLS. `chosen`: the host is not this computer and the person
    /// chose it anyway (the card says so in red).
    Off { chosen: bool },
    /// TLS with a verified certificate chain: Mozilla's roots, or the CA
    /// certificates in `root_cert`; the host name is checked unless
    /// `sslmode=verify-ca` (an internal CA whose certificate names another host).
    Verified { root_cert: Option<PathBuf>, check_host: bool },
}

/// What the person chose beyond the URL: the CLI's flags, the form's fields.
#[derive(Debug, Clone, Default)]
pub struct TlsChoice {
    /// A PEM file of the certificate authority that signed a self-hosted
    /// server's certificate (libpq's `sslrootcert`).
    pub root_cert: Option<PathBuf>,
    /// No TLS to a host that is not this computer: everything, the
    /// database's traffic included, crosses the network readable.
    pub insecure_no_tls: bool,
}

/// This computer: `localhost`, 127.0.0.0/8, ::1 (also IPv4-mapped).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The rustls configuration for `Tls::Verified`.
pub(crate) fn client_config(root_cert: Option<&Path>, check_host: bool) -> Result<rustls::ClientConfig, StudioError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = match root_cert {
        Some(path) => roots_from_file(path)?,
        None => RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() },
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StudioError::Failed(format!("TLS cannot be set up: {e}")))?;
    if check_host {
        return Ok(builder.with_root_certificates(roots).with_no_client_auth());
    }
    let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| StudioError::Failed(format!("TLS cannot be set up: {e}")))?;
    Ok(builder.dangerous().with_custom_certificate_verifier(Arc::new(ChainOnly(chain))).with_no_client_auth())
}

fn roots_from_file(path: &Path) -> Result<RootCertStore, StudioError> {
    let bad = |why: String| {
        StudioError::FieldInvalid(
            "ssl_root_cert",
            format!(
                "The root certificate file {} {why}. Give the PEM file of the certificate authority that signed the server's certificate \
                 (sslrootcert=/full/path/ca.pem in the URL, --ssl-root-cert in the CLI).",
                path.display()
            ),
        )
    };
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let mut roots = RootCertStore::empty();
    for cert in iter {
        let cert = cert.map_err(|e| bad(format!("is not valid PEM ({e})")))?;
        roots.add(cert).map_err(|e| bad(format!("holds a certificate that cannot be used ({e})")))?;
    }
    if roots.is_empty() {
        return Err(bad("holds no certificate".to_string()));
    }
    Ok(roots)
}

/// `sslmode=verify-ca`: the chain must lead to the given CA, whatever host
/// name the certificate carries. webpki checks the chain before the name,
/// so a name mismatch means the chain itself was verified.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_computer_is_loopback() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["db.example.com", "192.168.1.20", "10.0.0.1", "0.0.0.0", "::", "localhost.evil.com", "127.0.0.1.nip.io"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_missing_or_empty_root_certificate_file_is_refused_with_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let e = client_config(Some(&missing), true).expect_err("missing file");
        assert_eq!(e.field(), Some("ssl_root_cert"));
        assert!(e.to_string().contains("cannot be read"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = client_config(Some(&empty), false).expect_err("no certificate");
        assert!(e.to_string().contains("holds no certificate"), "{e}");
        assert!(client_config(None, true).is_ok());
    }
}
