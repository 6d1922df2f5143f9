//! Linux's `ip=` kernel parameter (Documentation/admin-guide/nfs/nfsroot.rst):
//! `ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:...`
//! or `ip=dhcp` / `ip=on` / `ip=any` / `ip=off` / `ip=none`. Rill configures static
//! addresses only: an autoconf request (dhcp, bootp, rarp, on, any) is reported as
//! [`IpParam::Auto`] and not acted on (Rill has no DHCP client).

use alloc::string::String;

/// What `ip=` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IpParam {
    /// `off`/`none`: no autoconfiguration.
    Off,
    /// DHCP/BOOTP/RARP (unsupported by Rill: the interface stays unconfigured).
    Auto,
    Static(StaticIp),
}

/// A static configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticIp {
    pub client: [u8; 4],
    pub gateway: Option<[u8; 4]>,
    /// Prefix length from the netmask (default: the address's class, as Linux).
    pub prefix_len: u8,
    pub hostname: Option<String>,
    /// The device (`eth0`); `None`: the first Ethernet device.
    pub device: Option<String>,
}

fn ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for o in out.iter_mut() {
        *o = parts.next()?.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

fn prefix_of_mask(m: [u8; 4]) -> Option<u8> {
    let v = u32::from_be_bytes(m);
    let n = v.leading_ones();
    if v.checked_shl(n).unwrap_or(0) != 0 {
        return None;
    }
    Some(n as u8)
}

/// Parses the value of `ip=`; `None` when it is malformed (Linux then ignores it).
pub fn parse(v: &str) -> Option<IpParam> {
    match v {
        "off" | "none" => return Some(IpParam::Off),
        "on" | "any" | "dhcp" | "bootp" | "rarp" | "both" | "dhcp6" => return Some(IpParam::Auto),
        _ => {}
    }
    let mut f = v.split(':');
    let client = f.next()?;
    let _server = f.next();
    let gw = f.next().unwrap_or("");
    let mask = f.next().unwrap_or("");
    let host = f.next().unwrap_or("");
    let dev = f.next().unwrap_or("");
    let auto = f.next().unwrap_or("");
    if client.is_empty() {
        return match auto {
            "off" | "none" | "" => Some(IpParam::Off),
            _ => Some(IpParam::Auto),
        };
    }
    let client = ipv4(client)?;
    let gateway = if gw.is_empty() { None } else { Some(ipv4(gw)?) };
    let prefix_len = if mask.is_empty() {
        match client[0] {
            0..=127 => 8,
            128..=191 => 16,
            _ => 24,
        }
    } else {
        prefix_of_mask(ipv4(mask)?)?
    };
    let s = |x: &str| (!x.is_empty()).then(|| String::from(x));
    Some(IpParam::Static(StaticIp {
        client,
        gateway,
        prefix_len,
        hostname: s(host),
        device: s(dev),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_form() {
        let p = parse("10.0.2.15::10.0.2.2:255.255.255.0:rill:eth0:off").unwrap();
        assert_eq!(
            p,
            IpParam::Static(StaticIp {
                client: [10, 0, 2, 15],
                gateway: Some([10, 0, 2, 2]),
                prefix_len: 24,
                hostname: Some("rill".into()),
                device: Some("eth0".into()),
            })
        );
        let p = parse("192.168.1.5").unwrap();
        let IpParam::Static(s) = p else { panic!() };
        assert_eq!((s.prefix_len, s.gateway, s.device), (24, None, None));
        assert_eq!(
            parse("10.1.2.3:::255.0.0.0").map(|p| match p {
                IpParam::Static(s) => s.prefix_len,
                _ => 0,
            }),
            Some(8)
        );
    }

    #[test]
    fn auto_and_bad() {
        assert_eq!(parse("dhcp"), Some(IpParam::Auto));
        assert_eq!(parse("off"), Some(IpParam::Off));
        assert_eq!(parse(":::::eth0:dhcp"), Some(IpParam::Auto));
        assert_eq!(parse("10.0.2"), None);
        assert_eq!(parse("10.0.2.300"), None);
        assert_eq!(parse("10.0.2.15:::255.0.255.0"), None);
        assert_eq!(parse("1.2.3.4.5"), None);
    }
}
