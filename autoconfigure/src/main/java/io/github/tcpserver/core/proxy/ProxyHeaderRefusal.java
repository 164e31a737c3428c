package io.github.tcpserver.core.proxy;

/**
 * Why a connection on a PROXY protocol listener was closed before its header completed; each has a
 * counter per listener and a {@code reason} tag on the meter.
 */
public enum ProxyHeaderRefusal {

	/** Not a PROXY header of an accepted version, or a field out of its syntax. */
	MALFORMED,

	/** Longer than the 107 bytes of version 1 or the configured maximum of version 2. */
	TOO_LONG,

	/** A valid header of a kind this server does not serve: UNIX or datagram families, unknown commands. */
	UNSUPPORTED,

	/** The CRC32C TLV does not match the header. */
	CHECKSUM,

	/** The peer ended its input before the header was complete. */
	TRUNCATED,

	/** The header did not arrive within the header timeout. */
	TIMEOUT,

	/** The connection came from an address outside the trusted proxies. */
	UNTRUSTED;

	/** @return the lower-case name used in meters and the Actuator endpoint */
	public String tag() {
		return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

}
