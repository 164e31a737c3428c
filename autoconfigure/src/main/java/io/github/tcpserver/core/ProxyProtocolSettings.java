package io.github.tcpserver.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.github.tcpserver.core.proxy.CidrRange;
import io.github.tcpserver.core.proxy.ProxyProtocolDecoder;
import io.github.tcpserver.core.proxy.ProxyProtocolMode;

/**
 * The PROXY protocol of one listener: which versions its balancers send, which addresses may send
 * them, how long a header may take and how long it may be.
 *
 * @param mode the versions accepted; never {@link ProxyProtocolMode#OFF} (a listener without PROXY
 * protocol has no settings)
 * @param trustedProxies the balancers' addresses; a connection from elsewhere is closed. Empty trusts
 * every source (for a listener reachable only by the balancers)
 * @param headerTimeout how long a connection may take to send its whole header (proxy-protocol.txt
 * section 2 allows closing after at least 3 seconds)
 * @param maxHeaderLength the longest v2 header accepted, in bytes (v1 is bounded at 107)
 */
public record ProxyProtocolSettings(ProxyProtocolMode mode, List<CidrRange> trustedProxies, Duration headerTimeout,
		int maxHeaderLength) {

	/** The header timeout used when none is given: above the 3 s minimum of section 2. */
	public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * The v2 header length used when none is given: 1 KiB holds the addresses (52 bytes for IPv6)
	 * and every TLV HAProxy, AWS, Azure and GCP balancers send (ALPN, an authority of at most 255
	 * bytes, a unique ID of at most 128, the SSL TLV with version, CN and cipher, CRC32C, the cloud
	 * endpoint IDs), while a hostile peer cannot make a connection hold the 64 KiB the length field
	 * allows before it is refused.
	 */
	public static final int DEFAULT_MAX_HEADER_LENGTH = 1024;

	public ProxyProtocolSettings {
		Objects.requireNonNull(mode, "mode");
		if (mode == ProxyProtocolMode.OFF) {
			throw new IllegalArgumentException("PROXY protocol settings need mode V1, V2 or ANY");
		}
		trustedProxies = List.copyOf(trustedProxies);
		if (headerTimeout.toMillis() < 3000) {
			throw new IllegalArgumentException("The PROXY protocol header timeout must be at least 3 s"
					+ " (proxy-protocol.txt section 2) but was " + headerTimeout.toMillis() + " ms");
		}
		if (maxHeaderLength < ProxyProtocolDecoder.V2_FIXED_LENGTH || maxHeaderLength > ProxyProtocolDecoder.V2_MAX_LENGTH) {
			throw new IllegalArgumentException("The maximum PROXY protocol header length must be between 16 and "
					+ ProxyProtocolDecoder.V2_MAX_LENGTH + " bytes but was " + maxHeaderLength);
		}
	}

	/**
	 * @param mode the versions accepted
	 * @return settings trusting every source, with the default timeout and length
	 */
	public static ProxyProtocolSettings of(ProxyProtocolMode mode) {
		return new ProxyProtocolSettings(mode, List.of(), DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_HEADER_LENGTH);
	}

	/**
	 * @param address a connection's peer
	 * @return whether it may send a header
	 */
	public boolean trusts(InetAddress address) {
		if (this.trustedProxies.isEmpty()) {
			return true;
		}
		for (CidrRange range : this.trustedProxies) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/** @return a short description for start-up logs and the Actuator endpoint */
	public String description() {
		return "PROXY protocol " + this.mode.name().toLowerCase(java.util.Locale.ROOT)
				+ (this.trustedProxies.isEmpty() ? " from any source" : " from " + this.trustedProxies);
	}

}
