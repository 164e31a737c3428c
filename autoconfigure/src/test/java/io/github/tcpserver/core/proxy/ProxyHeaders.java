package io.github.tcpserver.core.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Builds PROXY protocol v2 headers byte by byte for the tests, following proxy-protocol.txt
 * section 2.2 (written from the specification, independently of the decoder).
 */
public final class ProxyHeaders {

	static final byte[] SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

	private int versionCommand = 0x21;

	private int family = 0x11;

	private byte[] addresses = new byte[0];

	private final ByteArrayOutputStream tlvs = new ByteArrayOutputStream();

	private boolean crc;

	private Integer lengthOverride;

	public static ProxyHeaders v2() {
		return new ProxyHeaders();
	}

	public static byte[] v1(String line) {
		return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	public ProxyHeaders local() {
		this.versionCommand = 0x20;
		return this;
	}

	public ProxyHeaders versionCommand(int value) {
		this.versionCommand = value;
		return this;
	}

	public ProxyHeaders family(int value) {
		this.family = value;
		return this;
	}

	public ProxyHeaders tcp4(String source, int sourcePort, String destination, int destinationPort) {
		this.family = 0x11;
		this.addresses = ByteBuffer.allocate(12).put(address(source)).put(address(destination))
			.putShort((short) sourcePort).putShort((short) destinationPort).array();
		return this;
	}

	public ProxyHeaders tcp6(String source, int sourcePort, String destination, int destinationPort) {
		this.family = 0x21;
		this.addresses = ByteBuffer.allocate(36).put(address(source)).put(address(destination))
			.putShort((short) sourcePort).putShort((short) destinationPort).array();
		return this;
	}

	public ProxyHeaders addresses(byte[] raw) {
		this.addresses = raw;
		return this;
	}

	public ProxyHeaders tlv(int type, byte[] value) {
		this.tlvs.write(type);
		this.tlvs.write(value.length >> 8);
		this.tlvs.write(value.length);
		this.tlvs.writeBytes(value);
		return this;
	}

	public ProxyHeaders tlv(int type, String value) {
		return tlv(type, value.getBytes(StandardCharsets.UTF_8));
	}

	/** An SSL TLV: client bit field, verify result, then a version sub-TLV. */
	public ProxyHeaders ssl(int client, int verify, String version) {
		ByteArrayOutputStream value = new ByteArrayOutputStream();
		value.write(client);
		value.writeBytes(ByteBuffer.allocate(4).putInt(verify).array());
		byte[] text = version.getBytes(StandardCharsets.US_ASCII);
		value.write(0x21);
		value.write(text.length >> 8);
		value.write(text.length);
		value.writeBytes(text);
		return tlv(0x20, value.toByteArray());
	}

	/** Appends a CRC32C TLV computed over the finished header (section 2.2.2). */
	public ProxyHeaders crc32c() {
		this.crc = true;
		return this;
	}

	public ProxyHeaders length(int value) {
		this.lengthOverride = value;
		return this;
	}

	public byte[] build() {
		byte[] tlvBytes = this.tlvs.toByteArray();
		int length = this.addresses.length + tlvBytes.length + (this.crc ? 7 : 0);
		ByteBuffer out = ByteBuffer.allocate(16 + length);
		out.put(SIGNATURE).put((byte) this.versionCommand).put((byte) this.family);
		out.putShort((short) ((this.lengthOverride != null) ? this.lengthOverride : length));
		out.put(this.addresses).put(tlvBytes);
		if (this.crc) {
			out.put((byte) 0x03).putShort((short) 4).putInt(0);
			CRC32C crc = new CRC32C();
			crc.update(out.array(), 0, out.position());
			out.putInt(out.position() - 4, (int) crc.getValue());
		}
		return out.array();
	}

	private static byte[] address(String literal) {
		try {
			return InetAddress.getByName(literal).getAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

}
