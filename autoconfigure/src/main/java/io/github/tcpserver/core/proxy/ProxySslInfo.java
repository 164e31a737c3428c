package io.github.tcpserver.core.proxy;

import java.nio.charset.StandardCharsets;

/**
 * The PP2_TYPE_SSL TLV (proxy-protocol.txt section 2.2.5): whether the client spoke TLS to the
 * balancer, whether it presented a certificate, the verification result and the TLS version.
 * The client field is a bit field: each flag is tested as a bit, since a balancer sets several.
 *
 * @param client the client bit field ({@link #CLIENT_SSL}, {@link #CLIENT_CERT_CONN}, {@link #CLIENT_CERT_SESS})
 * @param verify 0 when the client presented a certificate that verified, non-zero otherwise
 * @param version the TLS version (PP2_SUBTYPE_SSL_VERSION, such as {@code TLSv1.3}), or {@code null}
 * @param commonName the client certificate's CN (PP2_SUBTYPE_SSL_CN), or {@code null}
 * @param cipher the cipher suite (PP2_SUBTYPE_SSL_CIPHER), or {@code null}
 */
public record ProxySslInfo(int client, long verify, String version, String commonName, String cipher) {

	/** PP2_CLIENT_SSL: the client connected over TLS. */
	public static final int CLIENT_SSL = 0x01;

	/** PP2_CLIENT_CERT_CONN: the client presented a certificate over this connection. */
	public static final int CLIENT_CERT_CONN = 0x02;

	/** PP2_CLIENT_CERT_SESS: the client presented a certificate at least once over the TLS session. */
	public static final int CLIENT_CERT_SESS = 0x04;

	static final int SUBTYPE_VERSION = 0x21;

	static final int SUBTYPE_CN = 0x22;

	static final int SUBTYPE_CIPHER = 0x23;

	/** @return whether the client spoke TLS to the balancer */
	public boolean isTls() {
		return (this.client & CLIENT_SSL) != 0;
	}

	/** @return whether the client presented a certificate (on this connection or in its session) that verified */
	public boolean hasVerifiedClientCertificate() {
		return (this.client & (CLIENT_CERT_CONN | CLIENT_CERT_SESS)) != 0 && this.verify == 0;
	}

	/** Parses a value the decoder has already checked for structure. */
	static ProxySslInfo parse(byte[] value) {
		int client = value[0] & 0xFF;
		long verify = ((value[1] & 0xFFL) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
		String version = null;
		String cn = null;
		String cipher = null;
		int i = 5;
		while (i + 3 <= value.length) {
			int type = value[i] & 0xFF;
			int length = ((value[i + 1] & 0xFF) << 8) | (value[i + 2] & 0xFF);
			String text = new String(value, i + 3, length, (type == SUBTYPE_CN) ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
			switch (type) {
				case SUBTYPE_VERSION -> version = text;
				case SUBTYPE_CN -> cn = text;
				case SUBTYPE_CIPHER -> cipher = text;
				default -> {
				}
			}
			i += 3 + length;
		}
		return new ProxySslInfo(client, verify, version, cn, cipher);
	}

}
