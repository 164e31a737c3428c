package io.github.tcpserver.core.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyProtocolDecoderTests {

	private static final byte[] PAYLOAD = { 0x16, 0x03, 0x01, 'h', 'i', '\r', '\n' };

	// ---------------------------------------------------------------- version 1

	@Test
	void v1Tcp4NamesTheClientAndLeavesTheBytesAfterTheHeader() throws Exception {
		byte[] header = ProxyHeaders.v1("PROXY TCP4 192.168.0.1 10.0.0.2 56324 443");
		everySplit(header, ProxyProtocolMode.V1, (decoded) -> {
			assertThat(decoded.version()).isEqualTo(1);
			assertThat(decoded.local()).isFalse();
			assertThat(decoded.source()).isEqualTo(new InetSocketAddress(ip("192.168.0.1"), 56324));
			assertThat(decoded.destination()).isEqualTo(new InetSocketAddress(ip("10.0.0.2"), 443));
			assertThat(decoded.length()).isEqualTo(header.length);
		});
	}

	@Test
	void v1Tcp6NamesTheClient() throws Exception {
		byte[] header = ProxyHeaders.v1("PROXY TCP6 2001:db8::1 ::1 65535 0");
		everySplit(header, ProxyProtocolMode.ANY, (decoded) -> {
			assertThat(decoded.source()).isEqualTo(new InetSocketAddress(ip("2001:db8::1"), 65535));
			assertThat(decoded.destination()).isEqualTo(new InetSocketAddress(ip("::1"), 0));
		});
	}

	@Test
	void v1UnknownCarriesNoAddressesAndIgnoresTheRestOfItsLine() throws Exception {
		everySplit(ProxyHeaders.v1("PROXY UNKNOWN"), ProxyProtocolMode.V1,
				(decoded) -> assertThat(decoded.hasAddresses()).isFalse());
		everySplit(ProxyHeaders.v1("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535"), ProxyProtocolMode.V1,
				(decoded) -> assertThat(decoded.source()).isNull());
	}

	@Test
	void v1LineOfExactly107BytesIsAcceptedAndTheLongestTcp6LineFits() throws Exception {
		String unknown = "PROXY UNKNOWN " + "f".repeat(91);
		assertThat(unknown.length() + 2).isEqualTo(ProxyProtocolDecoder.V1_MAX_LENGTH);
		everySplit(ProxyHeaders.v1(unknown), ProxyProtocolMode.V1, (decoded) -> assertThat(decoded.source()).isNull());
		String line = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535";
		everySplit(ProxyHeaders.v1(line), ProxyProtocolMode.V1, (decoded) -> assertThat(decoded.source().getPort()).isEqualTo(65535));
	}

	@Test
	void v1LineWithoutCrlfWithin107BytesIsRefusedAsTooLongAtByte107() {
		byte[] bytes = ("PROXY UNKNOWN " + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.V1, 1024);
		ByteBuffer in = ByteBuffer.wrap(bytes);
		assertRefused(() -> decoder.decode(in), ProxyHeaderRefusal.TOO_LONG);
		assertThat(in.position()).isEqualTo(ProxyProtocolDecoder.V1_MAX_LENGTH);
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY TCP4 1.2.3.4  5.6.7.8 1 2", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 ", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2",
			"PROXY TCP4 1.2.3.4 5.6.7.8 1", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2",
			"PROXY tcp4 1.2.3.4 5.6.7.8 1 2", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2", "PROXY TCP4 1.2.3 5.6.7.8 1 2",
			"PROXY TCP4 01.2.3.4 5.6.7.8 1 2", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2", "PROXY TCP4 1.2.3.4 5.6.7.8 080 2",
			"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2", "PROXY TCP4 ::1 5.6.7.8 1 2", "PROXY TCP6 1.2.3.4 ::1 1 2",
			"PROXY TCP6 ::g ::1 1 2", "PROXY TCP6 localhost ::1 1 2", "PROXY TCP6 fe80::1%eth0 ::1 1 2",
			"PROXY TCP6 :::1 ::1 1 2", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2", "PROXY", "PROXY TCP4" })
	void malformedV1LinesAreRefused(String line) {
		assertRefused(() -> decodeWhole(ProxyHeaders.v1(line), ProxyProtocolMode.V1), ProxyHeaderRefusal.MALFORMED);
	}

	@Test
	void v1LineEndingInLfAloneIsRefused() {
		byte[] bytes = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n".getBytes(StandardCharsets.US_ASCII);
		assertRefused(() -> decodeWhole(bytes, ProxyProtocolMode.V1), ProxyHeaderRefusal.MALFORMED);
	}

	@Test
	void wrongPrefixIsRefusedAtItsFirstWrongByteWithoutWaitingForMore() {
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.ANY, 1024);
		assertThatNoException(() -> decoder.decode(ByteBuffer.wrap("PRO".getBytes(StandardCharsets.US_ASCII))));
		assertRefused(() -> decoder.decode(ByteBuffer.wrap("Z".getBytes(StandardCharsets.US_ASCII))),
				ProxyHeaderRefusal.MALFORMED);
	}

	@Test
	void aTlsClientHelloWithoutHeaderIsRefusedAtTheFirstByte() {
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.ANY, 1024);
		ByteBuffer hello = ByteBuffer.wrap(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x10 });
		assertRefused(() -> decoder.decode(hello), ProxyHeaderRefusal.MALFORMED);
		assertThat(hello.position()).isZero();
	}

	@Test
	void aVersionTheListenerDoesNotExpectIsRefused() {
		assertRefused(() -> decodeWhole(ProxyHeaders.v1("PROXY UNKNOWN"), ProxyProtocolMode.V2),
				ProxyHeaderRefusal.MALFORMED);
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).build(), ProxyProtocolMode.V1),
				ProxyHeaderRefusal.MALFORMED);
	}

	// ---------------------------------------------------------------- version 2

	@Test
	void v2Tcp4NamesTheClient() throws Exception {
		byte[] header = ProxyHeaders.v2().tcp4("203.0.113.7", 40000, "10.1.2.3", 9000).build();
		everySplit(header, ProxyProtocolMode.V2, (decoded) -> {
			assertThat(decoded.version()).isEqualTo(2);
			assertThat(decoded.source()).isEqualTo(new InetSocketAddress(ip("203.0.113.7"), 40000));
			assertThat(decoded.destination()).isEqualTo(new InetSocketAddress(ip("10.1.2.3"), 9000));
			assertThat(decoded.tlvs()).isEmpty();
		});
	}

	@Test
	void v2Tcp6NamesTheClient() throws Exception {
		byte[] header = ProxyHeaders.v2().tcp6("2001:db8::7", 65535, "2001:db8::1", 443).build();
		everySplit(header, ProxyProtocolMode.ANY, (decoded) -> assertThat(decoded.source())
			.isEqualTo(new InetSocketAddress(ip("2001:db8::7"), 65535)));
	}

	@Test
	void v2LocalIsAHealthCheckWithoutAddressesWhateverItsFamily() throws Exception {
		everySplit(ProxyHeaders.v2().local().family(0x00).build(), ProxyProtocolMode.V2, (decoded) -> {
			assertThat(decoded.local()).isTrue();
			assertThat(decoded.hasAddresses()).isFalse();
		});
		everySplit(ProxyHeaders.v2().local().tcp4("1.2.3.4", 1, "5.6.7.8", 2).build(), ProxyProtocolMode.V2,
				(decoded) -> assertThat(decoded.source()).isNull());
		everySplit(ProxyHeaders.v2().local().family(0x31).addresses(new byte[216]).build(), ProxyProtocolMode.V2,
				(decoded) -> assertThat(decoded.local()).isTrue());
	}

	@Test
	void v2ProxyWithUnspecFamilyCarriesNoAddresses() throws Exception {
		everySplit(ProxyHeaders.v2().family(0x00).build(), ProxyProtocolMode.V2, (decoded) -> {
			assertThat(decoded.local()).isFalse();
			assertThat(decoded.hasAddresses()).isFalse();
		});
	}

	@Test
	void v2TlvsAreExposed() throws Exception {
		byte[] header = ProxyHeaders.v2().tcp4("1.2.3.4", 1234, "5.6.7.8", 443).tlv(0x01, "h2")
			.tlv(0x02, "example.com").tlv(0x04, new byte[3]).tlv(0x05, "a".repeat(128))
			.ssl(ProxySslInfo.CLIENT_SSL | ProxySslInfo.CLIENT_CERT_CONN | ProxySslInfo.CLIENT_CERT_SESS, 0, "TLSv1.3")
			.tlv(0xE0, new byte[] { 9 }).crc32c().build();
		everySplit(header, ProxyProtocolMode.V2, (decoded) -> {
			assertThat(decoded.alpn()).isEqualTo("h2");
			assertThat(decoded.authority()).isEqualTo("example.com");
			assertThat(decoded.uniqueIdText()).isEqualTo("a".repeat(128));
			assertThat(decoded.tlv(0xE0)).containsExactly(9);
			assertThat(decoded.tlv(0x04)).as("NOOP is padding, not kept").isNull();
			ProxySslInfo ssl = decoded.ssl();
			assertThat(ssl.isTls()).isTrue();
			assertThat(ssl.hasVerifiedClientCertificate()).isTrue();
			assertThat(ssl.version()).isEqualTo("TLSv1.3");
		});
	}

	@Test
	void sslClientFlagsAreTestedAsBitsNotAsOneValue() throws Exception {
		ProxySslInfo sessionOnly = decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2)
			.ssl(ProxySslInfo.CLIENT_SSL | ProxySslInfo.CLIENT_CERT_SESS, 0, "TLSv1.2").build(), ProxyProtocolMode.V2).ssl();
		assertThat(sessionOnly.isTls()).isTrue();
		assertThat(sessionOnly.hasVerifiedClientCertificate()).isTrue();
		ProxySslInfo failed = decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2)
			.ssl(ProxySslInfo.CLIENT_SSL | ProxySslInfo.CLIENT_CERT_CONN, 1, "TLSv1.3").build(), ProxyProtocolMode.V2).ssl();
		assertThat(failed.hasVerifiedClientCertificate()).as("verify != 0").isFalse();
		ProxySslInfo noCertificate = decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2)
			.ssl(ProxySslInfo.CLIENT_SSL, 0, "TLSv1.3").build(), ProxyProtocolMode.V2).ssl();
		assertThat(noCertificate.isTls()).isTrue();
		assertThat(noCertificate.hasVerifiedClientCertificate()).isFalse();
		ProxySslInfo plain = decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).ssl(0, 0, "").build(),
				ProxyProtocolMode.V2).ssl();
		assertThat(plain.isTls()).isFalse();
	}

	@Test
	void v2WithAWrongCrc32cIsRefused() {
		byte[] header = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x02, "example.com").crc32c().build();
		header[20] ^= 1; // the destination address, covered by the checksum
		assertRefused(() -> decodeWhole(header, ProxyProtocolMode.V2), ProxyHeaderRefusal.CHECKSUM);
	}

	@Test
	void v2OverTheMaximumLengthIsRefusedAsSoonAsItsLengthArrives() {
		byte[] header = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0xE1, new byte[2000]).build();
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.V2, 1024);
		ByteBuffer in = ByteBuffer.wrap(header, 0, 16);
		assertRefused(() -> decoder.decode(in), ProxyHeaderRefusal.TOO_LONG);
		assertThat(decodeWithLimit(header, header.length).tlv(0xE1)).hasSize(2000);
	}

	@Test
	void unixAndDatagramFamiliesAreUnsupported() {
		for (int family : new int[] { 0x31, 0x32, 0x12, 0x22, 0x01, 0x10 }) {
			byte[] header = ProxyHeaders.v2().family(family).addresses(new byte[216]).build();
			assertRefused(() -> decodeWhole(header, ProxyProtocolMode.V2), ProxyHeaderRefusal.UNSUPPORTED);
		}
	}

	@Test
	void unknownCommandIsUnsupportedAndUnknownVersionOrFamilyMalformed() {
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().versionCommand(0x22).tcp4("1.2.3.4", 1, "5.6.7.8", 2).build(),
				ProxyProtocolMode.V2), ProxyHeaderRefusal.UNSUPPORTED);
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().versionCommand(0x11).tcp4("1.2.3.4", 1, "5.6.7.8", 2).build(),
				ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().family(0x41).addresses(new byte[12]).build(),
				ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
	}

	@Test
	void malformedV2StructuresAreRefused() {
		// addresses longer than the header
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).length(11).build(),
				ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
		// a TLV running past the end
		byte[] cut = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x02, "example.com").build();
		byte[] shortened = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x02, "example.com")
			.length(cut.length - 16 - 1).build();
		assertRefused(() -> decodeWhole(Arrays.copyOf(shortened, shortened.length - 1), ProxyProtocolMode.V2),
				ProxyHeaderRefusal.MALFORMED);
		// a trailing byte too short for a TLV
		byte[] noop = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x04, new byte[0]).length(12 + 3 + 1).build();
		assertRefused(() -> decodeWhole(Arrays.copyOf(noop, noop.length + 1), ProxyProtocolMode.V2),
				ProxyHeaderRefusal.MALFORMED);
		// unique ID over 128 bytes
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x05, "a".repeat(129))
			.build(), ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
		// CRC32C of the wrong length
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x03, new byte[3])
			.build(), ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
		// SSL TLV shorter than client + verify, and one whose sub-TLV runs past it
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0x20, new byte[4])
			.build(), ProxyProtocolMode.V2), ProxyHeaderRefusal.MALFORMED);
		assertRefused(() -> decodeWhole(ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2)
			.tlv(0x20, new byte[] { 1, 0, 0, 0, 0, 0x21, 0, 9, 'T' }).build(), ProxyProtocolMode.V2),
				ProxyHeaderRefusal.MALFORMED);
	}

	@Test
	void aWrongSignatureByteIsRefusedWhereItArrives() {
		byte[] header = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).build();
		for (int i = 1; i < 12; i++) {
			byte[] broken = header.clone();
			broken[i] ^= 0x40;
			ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.V2, 1024);
			ByteBuffer in = ByteBuffer.wrap(broken, 0, i + 1);
			assertRefused(() -> decoder.decode(in), ProxyHeaderRefusal.MALFORMED);
		}
	}

	@Test
	void everyStrictPrefixOfAHeaderIsIncompleteNotRefused() throws Exception {
		byte[][] headers = { ProxyHeaders.v1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2"),
				ProxyHeaders.v2().tcp6("::1", 1, "::2", 2).ssl(1, 0, "TLSv1.3").crc32c().build() };
		for (byte[] header : headers) {
			for (int end = 0; end < header.length; end++) {
				ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolMode.ANY, 1024);
				ByteBuffer in = ByteBuffer.wrap(header, 0, end);
				assertThat(decoder.decode(in)).isNull();
				assertThat(in.hasRemaining()).isFalse();
				assertThat(decoder.bytesConsumed()).isEqualTo(end);
			}
		}
	}

	@Test
	void settingsAreChecked() {
		assertThatThrownBy(() -> new ProxyProtocolDecoder(ProxyProtocolMode.OFF, 1024))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new ProxyProtocolDecoder(ProxyProtocolMode.V2, 15))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new ProxyProtocolDecoder(ProxyProtocolMode.V2, 65552))
			.isInstanceOf(IllegalArgumentException.class);
	}

	// ---------------------------------------------------------------- CIDR ranges

	@Test
	void cidrRangesMatchTheirPrefixOnly() throws Exception {
		CidrRange ten = CidrRange.parse("10.0.0.0/8");
		assertThat(ten.contains(ip("10.255.1.2"))).isTrue();
		assertThat(ten.contains(ip("11.0.0.1"))).isFalse();
		assertThat(ten.contains(ip("::1"))).isFalse();
		CidrRange odd = CidrRange.parse("192.168.4.0/22");
		assertThat(odd.contains(ip("192.168.7.255"))).isTrue();
		assertThat(odd.contains(ip("192.168.8.0"))).isFalse();
		assertThat(CidrRange.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
		assertThat(CidrRange.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
		assertThat(CidrRange.parse("fd00::/8").contains(ip("fd12::1"))).isTrue();
		assertThat(CidrRange.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
		for (String bad : new String[] { "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/x", "", "10.0.0.0/-1" }) {
			assertThatThrownBy(() -> CidrRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
		}
	}

	// ---------------------------------------------------------------- helpers

	/**
	 * Decodes {@code header} followed by a payload, split in two at every byte and fed one byte at
	 * a time: the result must not depend on the split, and the payload must be left over whole.
	 */
	private static void everySplit(byte[] header, ProxyProtocolMode mode, Consumer<ProxyHeader> check)
			throws Exception {
		byte[] input = Arrays.copyOf(header, header.length + PAYLOAD.length);
		System.arraycopy(PAYLOAD, 0, input, header.length, PAYLOAD.length);
		for (int split = 0; split <= input.length; split++) {
			ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(mode, 1024);
			ByteBuffer first = ByteBuffer.wrap(input, 0, split);
			ProxyHeader decoded = decoder.decode(first);
			ByteBuffer rest;
			if (decoded == null) {
				assertThat(first.hasRemaining()).isFalse();
				rest = ByteBuffer.wrap(input, split, input.length - split);
				decoded = decoder.decode(rest);
			}
			else {
				rest = ByteBuffer.allocate(input.length - split + first.remaining())
					.put(first)
					.put(input, split, input.length - split)
					.flip();
			}
			assertThat(decoded).as("split at %d", split).isNotNull();
			check.accept(decoded);
			byte[] left = new byte[rest.remaining()];
			rest.get(left);
			assertThat(left).as("bytes after the header, split at %d", split).isEqualTo(PAYLOAD);
		}
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(mode, 1024);
		ProxyHeader decoded = null;
		for (int i = 0; i < header.length; i++) {
			assertThat(decoded).isNull();
			decoded = decoder.decode(ByteBuffer.wrap(input, i, 1));
		}
		assertThat(decoded).as("byte by byte").isNotNull();
		check.accept(decoded);
	}

	private static ProxyHeader decodeWhole(byte[] header, ProxyProtocolMode mode) throws ProxyProtocolException {
		ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(mode, 1024);
		ProxyHeader decoded = decoder.decode(ByteBuffer.wrap(header));
		assertThat(decoded).as("complete header").isNotNull();
		return decoded;
	}

	private static ProxyHeader decodeWithLimit(byte[] header, int limit) {
		try {
			return new ProxyProtocolDecoder(ProxyProtocolMode.V2, limit).decode(ByteBuffer.wrap(header));
		}
		catch (ProxyProtocolException ex) {
			throw new AssertionError(ex);
		}
	}

	private static void assertRefused(ThrowingCall call, ProxyHeaderRefusal reason) {
		assertThatThrownBy(call::run).isInstanceOf(ProxyProtocolException.class)
			.satisfies((ex) -> assertThat(((ProxyProtocolException) ex).reason()).isEqualTo(reason));
	}

	private static void assertThatNoException(ThrowingCall call) {
		try {
			call.run();
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

	private static InetAddress ip(String literal) {
		try {
			return InetAddress.getByName(literal);
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	interface ThrowingCall {

		Object run() throws Exception;

	}

}
