// addr.go classifies the addresses a webhook may not reach, by IANA's
// special-purpose address registries for IPv4 and IPv6, with the IPv4
// address embedded in mapped, compatible, NAT64 and 6to4 forms taken out
// and classified too.

package alerts

import "net/netip"

// specialV4 are IPv4 blocks that are not the public internet.
var specialV4 = prefixes(
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (carrier-grade NAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local (cloud metadata lives here)
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.31.196.0/24", // AS112
	"192.52.193.0/24", // AMT
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private
	"192.175.48.0/24", // direct delegation AS112
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and the limited broadcast 255.255.255.255
)

// specialV6 are IPv6 blocks that are not the public internet (the forms
// that embed an IPv4 address are handled by embeddedV4).
var specialV6 = prefixes(
	"::/128",         // unspecified
	"::1/128",        // loopback
	"64:ff9b:1::/48", // local-use NAT64: reaches whatever the local translator reaches
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments: Teredo (2001::/32), benchmarking, ORCHID, ...
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated)
	"ff00::/8",       // multicast
)

func prefixes(ps ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

var (
	mappedV4  = netip.MustParsePrefix("::ffff:0:0/96")
	compatV4  = netip.MustParsePrefix("::/96")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// embeddedV4 is the IPv4 address an IPv6 address carries (mapped,
// IPv4-compatible, NAT64 of the well-known prefix, 6to4), if any.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case mappedV4.Contains(ip), compatV4.Contains(ip), nat64.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// private reports addresses a webhook may not reach: anything but the
// public internet, in any of the forms that lead to it.
func private(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("")
	if ip.Is6() {
		if v4, ok := embeddedV4(ip); ok {
			return private(v4)
		}
		for _, p := range specialV6 {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	for _, p := range specialV4 {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
