package io.github.tcpserver.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the server name (SNI) from the first record of a ClientHello, before any engine exists,
 * so that the certificate can be chosen by it. Pure: a buffer in, a name out; anything malformed
 * reads as "no name" and is left for the engine to reject with the proper alert.
 */
final class TlsClientHello {

	private static final int HANDSHAKE = 22;

	private static final int CLIENT_HELLO = 1;

	private static final int SERVER_NAME = 0;

	private static final int HOST_NAME = 0;

	private TlsClientHello() {
	}

	/**
	 * @param record a whole TLS record, from its position to its limit (not consumed)
	 * @return the host_name of the server_name extension (RFC 6066 §3), or {@code null}
	 */
	static String serverName(ByteBuffer record) {
		ByteBuffer in = record.slice();
		try {
			if (u8(in) != HANDSHAKE) {
				return null;
			}
			in.position(5); // type, version (RFC 8446 §5.1), length
			if (u8(in) != CLIENT_HELLO) {
				return null;
			}
			in.position(in.position() + 3); // handshake length: may exceed this record; read what is here
			in.position(in.position() + 2 + 32); // legacy_version, random (RFC 8446 §4.1.2)
			skip(in, u8(in)); // legacy_session_id
			skip(in, u16(in)); // cipher_suites
			skip(in, u8(in)); // legacy_compression_methods
			int extensionsEnd = Math.min(in.limit(), in.position() + 2 + u16(in));
			while (in.position() + 4 <= extensionsEnd) {
				int type = u16(in);
				int length = u16(in);
				if (type != SERVER_NAME) {
					skip(in, length);
					continue;
				}
				int listEnd = in.position() + 2 + u16(in);
				while (in.position() + 3 <= listEnd) {
					int nameType = u8(in);
					int nameLength = u16(in);
					if (nameType == HOST_NAME && nameLength > 0 && in.remaining() >= nameLength) {
						byte[] name = new byte[nameLength];
						in.get(name);
						return new String(name, StandardCharsets.US_ASCII);
					}
					skip(in, nameLength);
				}
				return null;
			}
			return null;
		}
		catch (RuntimeException ex) {
			// Truncated or inconsistent lengths: a buffer bound was crossed. The engine will say why.
			return null;
		}
	}

	private static int u8(ByteBuffer in) {
		return in.get() & 0xff;
	}

	private static int u16(ByteBuffer in) {
		return in.getShort() & 0xffff;
	}

	private static void skip(ByteBuffer in, int length) {
		in.position(in.position() + length);
	}

}
