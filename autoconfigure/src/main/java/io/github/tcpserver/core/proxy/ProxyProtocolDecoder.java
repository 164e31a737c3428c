package io.github.tcpserver.core.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes one PROXY protocol header (HAProxy's proxy-protocol.txt, version 1 text or version 2
 * binary) from bytes that may arrive split anywhere. {@link #decode} consumes header bytes only: what
 * follows the header in the same buffer stays there for the next layer (TLS, the handler). One
 * decoder per connection; it keeps at most one header's bytes (107 for v1, the configured maximum
 * for v2). Pure: no sockets, no clocks.
 */
public final class ProxyProtocolDecoder {

	/** Section 2.1: a v1 line is at most 107 bytes, CRLF included. */
	public static final int V1_MAX_LENGTH = 107;

	/** Section 2.2: signature (12), version and command, family, length (2). */
	public static final int V2_FIXED_LENGTH = 16;

	/** The largest v2 header the length field can describe. */
	public static final int V2_MAX_LENGTH = V2_FIXED_LENGTH + 0xFFFF;

	/** Section 2.2.4: a unique ID is at most 128 bytes. */
	public static final int MAX_UNIQUE_ID_LENGTH = 128;

	private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	private static final int COMMAND_LOCAL = 0x0;

	private static final int COMMAND_PROXY = 0x1;

	private static final int FAMILY_UNSPEC = 0x0;

	private static final int FAMILY_INET = 0x1;

	private static final int FAMILY_INET6 = 0x2;

	private static final int FAMILY_UNIX = 0x3;

	private static final int TRANSPORT_STREAM = 0x1;

	private final ProxyProtocolMode mode;

	private final int maxHeaderLength;

	/** The header's bytes collected so far; grows once to the v2 length when that is known. */
	private byte[] header;

	private int length;

	/** 0 until the first byte tells, then 1 or 2. */
	private int version;

	/** The whole v2 header's length once its fixed part arrived, else 0. */
	private int expected;

	private boolean finished;

	/**
	 * @param mode the versions accepted ({@link ProxyProtocolMode#OFF} is not a decoding mode)
	 * @param maxHeaderLength the longest v2 header accepted, 16 to {@value #V2_MAX_LENGTH} bytes;
	 * v1 is always bounded by its 107 bytes
	 */
	public ProxyProtocolDecoder(ProxyProtocolMode mode, int maxHeaderLength) {
		if (mode == null || mode == ProxyProtocolMode.OFF) {
			throw new IllegalArgumentException("A PROXY protocol decoder needs mode V1, V2 or ANY, not " + mode);
		}
		if (maxHeaderLength < V2_FIXED_LENGTH || maxHeaderLength > V2_MAX_LENGTH) {
			throw new IllegalArgumentException("The maximum PROXY header length must be between " + V2_FIXED_LENGTH
					+ " and " + V2_MAX_LENGTH + " bytes but was " + maxHeaderLength);
		}
		this.mode = mode;
		this.maxHeaderLength = maxHeaderLength;
	}

	/**
	 * Consumes header bytes from {@code in}.
	 * @param in bytes read from the connection; its position is advanced past the header bytes
	 * taken, never further
	 * @return the header once complete, {@code null} while more bytes are needed (all of {@code in}
	 * was consumed then)
	 * @throws ProxyProtocolException if the bytes cannot be an accepted header: the connection must
	 * be closed
	 */
	public ProxyHeader decode(ByteBuffer in) throws ProxyProtocolException {
		if (this.finished) {
			throw new IllegalStateException("The PROXY header was already decoded (or refused)");
		}
		if (!in.hasRemaining()) {
			return null;
		}
		try {
			if (this.version == 0) {
				this.version = versionOf(in.get(in.position()));
				this.header = new byte[(this.version == 1) ? V1_MAX_LENGTH : V2_FIXED_LENGTH];
			}
			ProxyHeader result = (this.version == 1) ? decodeV1(in) : decodeV2(in);
			this.finished = result != null;
			return result;
		}
		catch (ProxyProtocolException ex) {
			this.finished = true;
			this.header = null;
			throw ex;
		}
	}

	/** @return the header bytes collected so far (for a log line on refusal) */
	public int bytesConsumed() {
		return this.length;
	}

	/** Section 2: "PROXY" starts v1, the signature's CR starts v2; anything else is no header at all. */
	private int versionOf(byte first) throws ProxyProtocolException {
		int version = (first == 'P') ? 1 : (first == V2_SIGNATURE[0]) ? 2 : 0;
		if (version == 0) {
			throw malformed("the connection does not start with a PROXY protocol header (first byte 0x"
					+ Integer.toHexString(first & 0xFF) + ")");
		}
		if (!this.mode.accepts(version)) {
			throw malformed("a PROXY protocol v" + version + " header, but the listener expects " + this.mode);
		}
		return version;
	}

	// ---------------------------------------------------------------- version 1 (section 2.1)

	private ProxyHeader decodeV1(ByteBuffer in) throws ProxyProtocolException {
		while (in.hasRemaining()) {
			byte b = in.get();
			if (this.length < V1_PREFIX.length && b != V1_PREFIX[this.length]) {
				throw malformed("not a PROXY protocol v1 line: it does not start with \"PROXY \"");
			}
			this.header[this.length++] = b;
			if (b == '\n') {
				if (this.header[this.length - 2] != '\r') {
					throw malformed("the PROXY v1 line ends with LF without CR");
				}
				return parseV1();
			}
			if (this.length == V1_MAX_LENGTH) {
				throw new ProxyProtocolException(ProxyHeaderRefusal.TOO_LONG,
						"no CRLF within the 107 bytes of a PROXY protocol v1 line");
			}
		}
		return null;
	}

	private ProxyHeader parseV1() throws ProxyProtocolException {
		String line = new String(this.header, 0, this.length - 2, StandardCharsets.ISO_8859_1);
		if (line.equals("PROXY UNKNOWN") || line.startsWith("PROXY UNKNOWN ")) {
			// Section 2.1: after UNKNOWN the receiver ignores the rest of the line and uses the
			// socket's addresses.
			return new ProxyHeader(1, false, null, null, List.of(), this.length);
		}
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (c < 0x21 && c != ' ' || c > 0x7E) {
				throw malformed("the PROXY v1 line holds a control or non-ASCII byte");
			}
		}
		String[] fields = line.split(" ", -1);
		if (fields.length != 6) {
			throw malformed("a PROXY v1 line has 6 fields separated by single spaces, this one has " + fields.length);
		}
		boolean inet4 = switch (fields[1]) {
			case "TCP4" -> true;
			case "TCP6" -> false;
			default -> throw malformed("PROXY v1 protocol must be TCP4, TCP6 or UNKNOWN");
		};
		InetAddress source = inet4 ? parseInet4(fields[2]) : parseInet6(fields[2]);
		InetAddress destination = inet4 ? parseInet4(fields[3]) : parseInet6(fields[3]);
		return new ProxyHeader(1, false, new InetSocketAddress(source, parsePort(fields[4])),
				new InetSocketAddress(destination, parsePort(fields[5])), List.of(), this.length);
	}

	/** Dotted quad, four decimal octets without leading zeros (which some parsers read as octal). */
	private static InetAddress parseInet4(String text) throws ProxyProtocolException {
		String[] parts = text.split("\\.", -1);
		if (parts.length != 4) {
			throw malformed("'" + text + "' is not an IPv4 address");
		}
		byte[] bytes = new byte[4];
		for (int i = 0; i < 4; i++) {
			int value = parseDecimal(parts[i], 3, 255);
			if (value < 0) {
				throw malformed("'" + text + "' is not an IPv4 address");
			}
			bytes[i] = (byte) value;
		}
		return byAddress(bytes);
	}

	private static InetAddress parseInet6(String text) throws ProxyProtocolException {
		// Hex digits, colons and the dots of an embedded IPv4 part only, starting with a hex digit or
		// a colon: InetAddress then parses a literal and never resolves a name.
		boolean valid = text.length() >= 2 && text.length() <= 45 && text.indexOf(':') >= 0
				&& (Character.digit(text.charAt(0), 16) >= 0 || text.charAt(0) == ':');
		for (int i = 0; valid && i < text.length(); i++) {
			char c = text.charAt(i);
			valid = Character.digit(c, 16) >= 0 || c == ':' || c == '.';
		}
		if (!valid) {
			throw malformed("'" + text + "' is not an IPv6 address");
		}
		try {
			return InetAddress.getByName(text);
		}
		catch (UnknownHostException ex) {
			throw malformed("'" + text + "' is not an IPv6 address");
		}
	}

	private static int parsePort(String text) throws ProxyProtocolException {
		int port = parseDecimal(text, 5, 65535);
		if (port < 0) {
			throw malformed("'" + text + "' is not a port (0 to 65535, no leading zeros)");
		}
		return port;
	}

	/** @return the value, or -1 unless {@code text} is 1 to {@code maxDigits} digits, no leading zero, at most {@code max} */
	private static int parseDecimal(String text, int maxDigits, int max) {
		if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return (value <= max) ? value : -1;
	}

	// ---------------------------------------------------------------- version 2 (section 2.2)

	private ProxyHeader decodeV2(ByteBuffer in) throws ProxyProtocolException {
		while (in.hasRemaining()) {
			int wanted = ((this.expected == 0) ? V2_FIXED_LENGTH : this.expected) - this.length;
			int n = Math.min(wanted, in.remaining());
			int from = this.length;
			in.get(this.header, this.length, n);
			this.length += n;
			for (int i = from; i < Math.min(this.length, V2_SIGNATURE.length); i++) {
				if (this.header[i] != V2_SIGNATURE[i]) {
					throw malformed("not a PROXY protocol v2 signature");
				}
			}
			if (this.expected == 0 && this.length == V2_FIXED_LENGTH) {
				readFixedPart();
			}
			if (this.expected != 0 && this.length == this.expected) {
				return parseV2();
			}
		}
		return null;
	}

	/** Checks version, command, family and length as soon as they arrive: nothing waits for a header it will refuse. */
	private void readFixedPart() throws ProxyProtocolException {
		int versionCommand = this.header[12] & 0xFF;
		if ((versionCommand >> 4) != 2) {
			throw malformed("PROXY protocol v2 header with version " + (versionCommand >> 4));
		}
		int command = versionCommand & 0x0F;
		if (command != COMMAND_LOCAL && command != COMMAND_PROXY) {
			throw new ProxyProtocolException(ProxyHeaderRefusal.UNSUPPORTED,
					"PROXY protocol v2 command 0x" + Integer.toHexString(command) + " is neither LOCAL nor PROXY");
		}
		int familyByte = this.header[13] & 0xFF;
		int family = familyByte >> 4;
		if (family > FAMILY_UNIX || (familyByte & 0x0F) > 2) {
			throw malformed("PROXY protocol v2 family 0x" + Integer.toHexString(familyByte) + " is not defined");
		}
		// Section 2.2: with LOCAL the family is ignored; with PROXY only TCP over IPv4 or IPv6 (or
		// UNSPEC, no addresses) names a client this server can use.
		if (command == COMMAND_PROXY && familyByte != 0x00 && (family == FAMILY_UNIX || family == FAMILY_UNSPEC
				|| (familyByte & 0x0F) != TRANSPORT_STREAM)) {
			throw new ProxyProtocolException(ProxyHeaderRefusal.UNSUPPORTED, "PROXY protocol v2 family 0x"
					+ Integer.toHexString(familyByte) + " (only TCP over IPv4 or IPv6, or UNSPEC, is served)");
		}
		int total = V2_FIXED_LENGTH + (((this.header[14] & 0xFF) << 8) | (this.header[15] & 0xFF));
		if (total > this.maxHeaderLength) {
			throw new ProxyProtocolException(ProxyHeaderRefusal.TOO_LONG, "a PROXY protocol v2 header of " + total
					+ " bytes, over the maximum of " + this.maxHeaderLength);
		}
		if (total - V2_FIXED_LENGTH < addressLength(family)) {
			throw malformed("a PROXY protocol v2 header of " + total + " bytes is too short for its addresses");
		}
		this.expected = total;
		this.header = Arrays.copyOf(this.header, total);
	}

	private static int addressLength(int family) {
		return switch (family) {
			case FAMILY_INET -> 12;
			case FAMILY_INET6 -> 36;
			case FAMILY_UNIX -> 216;
			default -> 0;
		};
	}

	private ProxyHeader parseV2() throws ProxyProtocolException {
		boolean local = (this.header[12] & 0x0F) == COMMAND_LOCAL;
		int family = (this.header[13] & 0xFF) >> 4;
		InetSocketAddress source = null;
		InetSocketAddress destination = null;
		if (!local && family == FAMILY_INET) {
			source = new InetSocketAddress(byAddress(Arrays.copyOfRange(this.header, 16, 20)), uint16(24));
			destination = new InetSocketAddress(byAddress(Arrays.copyOfRange(this.header, 20, 24)), uint16(26));
		}
		else if (!local && family == FAMILY_INET6) {
			source = new InetSocketAddress(byAddress(Arrays.copyOfRange(this.header, 16, 32)), uint16(48));
			destination = new InetSocketAddress(byAddress(Arrays.copyOfRange(this.header, 32, 48)), uint16(50));
		}
		List<ProxyHeader.Tlv> tlvs = parseTlvs(V2_FIXED_LENGTH + addressLength(family));
		return new ProxyHeader(2, local, source, destination, tlvs, this.expected);
	}

	/** Section 2.2.1 onwards: TLVs fill the rest of the header exactly. */
	private List<ProxyHeader.Tlv> parseTlvs(int start) throws ProxyProtocolException {
		List<ProxyHeader.Tlv> tlvs = new ArrayList<>();
		int crcAt = -1;
		int i = start;
		while (i < this.expected) {
			if (i + 3 > this.expected) {
				throw malformed("a PROXY protocol v2 TLV is cut short by the header's end");
			}
			int type = this.header[i] & 0xFF;
			int length = uint16(i + 1);
			int valueAt = i + 3;
			if (valueAt + length > this.expected) {
				throw malformed("PROXY protocol v2 TLV 0x" + Integer.toHexString(type) + " of " + length
						+ " bytes runs past the header's end");
			}
			switch (type) {
				case ProxyHeader.TYPE_CRC32C -> {
					if (length != 4 || crcAt >= 0) {
						throw malformed("a PROXY protocol v2 CRC32C TLV must appear once with 4 bytes");
					}
					crcAt = valueAt;
				}
				case ProxyHeader.TYPE_UNIQUE_ID -> {
					if (length > MAX_UNIQUE_ID_LENGTH) {
						throw malformed("a PROXY protocol v2 unique ID of " + length + " bytes (at most 128)");
					}
				}
				case ProxyHeader.TYPE_SSL -> checkSsl(valueAt, length);
				default -> {
				}
			}
			if (type != ProxyHeader.TYPE_NOOP) {
				tlvs.add(new ProxyHeader.Tlv(type, Arrays.copyOfRange(this.header, valueAt, valueAt + length)));
			}
			i = valueAt + length;
		}
		if (crcAt >= 0) {
			verifyChecksum(crcAt);
		}
		return tlvs;
	}

	/** Section 2.2.5: client (1 byte), verify (4 bytes), then sub-TLVs filling the value exactly. */
	private void checkSsl(int at, int length) throws ProxyProtocolException {
		if (length < 5) {
			throw malformed("a PROXY protocol v2 SSL TLV of " + length + " bytes (at least 5)");
		}
		int end = at + length;
		int i = at + 5;
		while (i < end) {
			if (i + 3 > end || i + 3 + uint16(i + 1) > end) {
				throw malformed("a sub-TLV of the PROXY protocol v2 SSL TLV runs past its end");
			}
			i += 3 + uint16(i + 1);
		}
	}

	/** Section 2.2.2: CRC32C of the whole header with the checksum's own 4 bytes taken as zero. */
	private void verifyChecksum(int at) throws ProxyProtocolException {
		long sent = ((long) uint16(at) << 16) | uint16(at + 2);
		CRC32C crc = new CRC32C();
		crc.update(this.header, 0, at);
		crc.update(new byte[4]);
		crc.update(this.header, at + 4, this.expected - at - 4);
		if (crc.getValue() != sent) {
			throw new ProxyProtocolException(ProxyHeaderRefusal.CHECKSUM, "the PROXY protocol v2 header's CRC32C is 0x"
					+ Long.toHexString(sent) + " but its bytes give 0x" + Long.toHexString(crc.getValue()));
		}
	}

	private int uint16(int at) {
		return ((this.header[at] & 0xFF) << 8) | (this.header[at + 1] & 0xFF);
	}

	private static InetAddress byAddress(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // only for a length other than 4 or 16
		}
	}

	private static ProxyProtocolException malformed(String message) {
		return new ProxyProtocolException(ProxyHeaderRefusal.MALFORMED, message);
	}

}
