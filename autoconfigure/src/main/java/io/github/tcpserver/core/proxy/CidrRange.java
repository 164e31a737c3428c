package io.github.tcpserver.core.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A block of IPv4 or IPv6 addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}, or one
 * address without a prefix length): the trusted balancers of a PROXY protocol listener.
 */
public final class CidrRange {

	private final String text;

	private final byte[] network;

	private final int prefixLength;

	private CidrRange(String text, byte[] network, int prefixLength) {
		this.text = text;
		this.network = network;
		this.prefixLength = prefixLength;
	}

	/**
	 * @param text an address literal with an optional {@code /prefix-length}; host names are refused
	 * (a trust decision must not depend on DNS)
	 * @return the range
	 * @throws IllegalArgumentException if {@code text} is not an address range
	 */
	public static CidrRange parse(String text) {
		String trimmed = text.trim();
		int slash = trimmed.indexOf('/');
		String address = (slash >= 0) ? trimmed.substring(0, slash) : trimmed;
		if (address.isEmpty() || !address.chars().allMatch((c) -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
				|| (address.indexOf(':') < 0 && !address.chars().allMatch((c) -> c == '.' || Character.isDigit(c)))) {
			throw new IllegalArgumentException("'" + text + "' is not an IP address range (such as 10.0.0.0/8 or fd00::/8)");
		}
		byte[] bytes;
		try {
			bytes = InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("'" + text + "' is not an IP address range: " + ex.getMessage());
		}
		int bits = bytes.length * 8;
		int prefix = bits;
		if (slash >= 0) {
			try {
				prefix = Integer.parseInt(trimmed.substring(slash + 1));
			}
			catch (NumberFormatException ex) {
				prefix = -1;
			}
			if (prefix < 0 || prefix > bits) {
				throw new IllegalArgumentException(
						"'" + text + "' has a prefix length outside 0 to " + bits + " for its address");
			}
		}
		return new CidrRange(trimmed, bytes, prefix);
	}

	/**
	 * @param address an address
	 * @return whether it lies in this range (an IPv4 address never lies in an IPv6 range, and back)
	 */
	public boolean contains(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (bytes.length != this.network.length) {
			return false;
		}
		int full = this.prefixLength / 8;
		for (int i = 0; i < full; i++) {
			if (bytes[i] != this.network[i]) {
				return false;
			}
		}
		int rest = this.prefixLength % 8;
		if (rest == 0) {
			return true;
		}
		int mask = (0xFF << (8 - rest)) & 0xFF;
		return (bytes[full] & mask) == (this.network[full] & mask);
	}

	@Override
	public String toString() {
		return this.text;
	}

}
