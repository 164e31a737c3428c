package io.github.tcpserver.core.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A decoded PROXY protocol header: who the client is as the balancer saw it, and the TLVs of a
 * version 2 header (ALPN, authority, unique ID, SSL). Immutable.
 *
 * @param version 1 or 2
 * @param local whether the header is a v2 {@code LOCAL} command (the balancer's own health check)
 * @param source the client's address and port, or {@code null} when the header carries none (LOCAL,
 * v1 {@code UNKNOWN}, v2 {@code UNSPEC}): the socket's addresses are then the real ones
 * @param destination the address and port the client connected to on the balancer, or {@code null}
 * @param tlvs every TLV of a v2 header in order (sub-TLVs of SSL stay inside it); empty for v1
 * @param length the header's length on the wire, in bytes
 */
public record ProxyHeader(int version, boolean local, InetSocketAddress source, InetSocketAddress destination,
		List<Tlv> tlvs, int length) {

	/** PP2_TYPE_ALPN: the application protocol the client negotiated with the balancer. */
	public static final int TYPE_ALPN = 0x01;

	/** PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI or Host), UTF-8. */
	public static final int TYPE_AUTHORITY = 0x02;

	/** PP2_TYPE_CRC32C: a checksum of the whole header, verified by the decoder. */
	public static final int TYPE_CRC32C = 0x03;

	/** PP2_TYPE_NOOP: padding. */
	public static final int TYPE_NOOP = 0x04;

	/** PP2_TYPE_UNIQUE_ID: an opaque connection identifier of at most 128 bytes. */
	public static final int TYPE_UNIQUE_ID = 0x05;

	/** PP2_TYPE_SSL: the client's TLS connection to the balancer. */
	public static final int TYPE_SSL = 0x20;

	public ProxyHeader {
		tlvs = List.copyOf(tlvs);
	}

	/** @return whether the header names the client ({@link #source()} is not {@code null}) */
	public boolean hasAddresses() {
		return this.source != null;
	}

	/**
	 * @param type a TLV type
	 * @return the value of the first TLV of that type, or {@code null}
	 */
	public byte[] tlv(int type) {
		for (Tlv tlv : this.tlvs) {
			if (tlv.type() == type) {
				return tlv.value();
			}
		}
		return null;
	}

	/** @return the ALPN protocol the client spoke to the balancer (as US-ASCII), or {@code null} */
	public String alpn() {
		byte[] value = tlv(TYPE_ALPN);
		return (value != null) ? new String(value, StandardCharsets.US_ASCII) : null;
	}

	/** @return the authority (host name, TLS SNI) the client asked the balancer for, or {@code null} */
	public String authority() {
		byte[] value = tlv(TYPE_AUTHORITY);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	/** @return the balancer's unique ID of the connection, or {@code null} */
	public byte[] uniqueId() {
		return tlv(TYPE_UNIQUE_ID);
	}

	/** @return the unique ID as text (HAProxy sends its {@code unique-id-format} as ASCII), or {@code null} */
	public String uniqueIdText() {
		byte[] value = uniqueId();
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	/** @return what the balancer says of the client's TLS connection, or {@code null} without an SSL TLV */
	public ProxySslInfo ssl() {
		byte[] value = tlv(TYPE_SSL);
		return (value != null) ? ProxySslInfo.parse(value) : null;
	}

	/** One type-length-value entry of a v2 header. */
	public record Tlv(int type, byte[] value) {

		@Override
		public String toString() {
			return "Tlv[type=0x" + Integer.toHexString(this.type) + ", length=" + this.value.length + "]";
		}

	}

}
