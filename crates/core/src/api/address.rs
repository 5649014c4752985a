//! What kind of network an address is on, for the rules that keep a key or
//! a download away from where it must not go: `http://` is allowed only to
//! this computer (nobody on the path can read loopback traffic), and a
//! video link may lead only to the public internet or to the same kind of
//! network as the account's own service (a hostile answer must not make
//! this computer fetch from its LAN or a cloud metadata address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The network an address belongs to, as far as these rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// This computer: 127.0.0.0/8, ::1, `localhost`.
    Loopback,
    /// A private network: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier
    /// NAT), fc00::/7.
    Private,
    /// Never a destination: link-local (169.254/16, with the cloud metadata
    /// address 169.254.169.254; fe80::/10), unspecified, multicast,
    /// broadcast, reserved.
    Forbidden,
    /// Everything else.
    Public,
}

pub fn reach_of_ip(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => reach_of_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            // ::ffff:a.b.c.d reaches a.b.c.d.
            Some(v4) => reach_of_v4(v4),
            None => reach_of_v6(v6),
        },
    }
}

fn reach_of_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_link_local() || ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() || a == 0 || a >= 240 {
        Reach::Forbidden
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Reach::Private
    } else {
        Reach::Public
    }
}

fn reach_of_v6(ip: Ipv6Addr) -> Reach {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() || (first & 0xffc0) == 0xfe80 {
        Reach::Forbidden
    } else if (first & 0xfe00) == 0xfc00 {
        Reach::Private
    } else {
        Reach::Public
    }
}

/// The reach of a URL's host when it can be told without a DNS look-up:
/// an IP literal or `localhost`. `None` for any other name (its addresses
/// are checked when it is resolved).
pub fn reach_of_url(url: &url::Url) -> Option<Reach> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(reach_of_ip(IpAddr::V4(ip))),
        url::Host::Ipv6(ip) => Some(reach_of_ip(IpAddr::V6(ip))),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            // Only the name itself: a sub-name such as `x.localhost` may be
            // sent to a DNS server that answers with any address.
            (name == "localhost").then_some(Reach::Loopback)
        }
    }
}

/// True when `url` names this computer, so plain `http://` cannot be read
/// by anyone on a network path.
pub fn is_loopback_url(url: &url::Url) -> bool {
    reach_of_url(url) == Some(Reach::Loopback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_of_address() {
        let r = |s: &str| reach_of_ip(s.parse().unwrap());
        for ip in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(r(ip), Reach::Loopback, "{ip}");
        }
        for ip in ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "fc00::1", "fd12::1"] {
            assert_eq!(r(ip), Reach::Private, "{ip}");
        }
        for ip in ["169.254.169.254", "169.254.0.1", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "::ffff:169.254.169.254", "ff02::1"] {
            assert_eq!(r(ip), Reach::Forbidden, "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(r(ip), Reach::Public, "{ip}");
        }
    }

    #[test]
    fn loopback_urls() {
        let l = |s: &str| is_loopback_url(&url::Url::parse(s).unwrap());
        for yes in ["http://127.0.0.1:8787/api", "http://localhost/api", "http://LOCALHOST./x", "http://[::1]:9/api"] {
            assert!(l(yes), "{yes}");
        }
        for no in ["http://api.loova.ai/api", "http://10.0.0.1/api", "http://localhost.evil.example/", "http://127.0.0.1.nip.io/", "http://sim.localhost:1/"] {
            assert!(!l(no), "{no}");
        }
    }
}
