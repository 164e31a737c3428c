package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.tcpserver.core.proxy.CidrRange;
import io.github.tcpserver.core.proxy.ProxyHeaderRefusal;
import io.github.tcpserver.core.proxy.ProxyHeaders;
import io.github.tcpserver.core.proxy.ProxyProtocolMode;
import io.github.tcpserver.test.LogCapture;
import io.github.tcpserver.test.TestCertificates;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PROXY protocol layer over real loopback sockets, a raw socket playing the balancer: the
 * handler, the observer and the connection list see the client the header names; bad headers are
 * closed and counted without disturbing other connections.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolServerTests {

	@TempDir
	static Path directory;

	static TestCertificates pki;

	private final TestServers servers = new TestServers();

	private final List<String> observed = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void makeCertificates() {
		pki = TestCertificates.create(directory).issue("localhost", "localhost");
	}

	@AfterEach
	void stopServers() {
		this.servers.stopAll();
	}

	/** Greets with the addresses it sees, then echoes. */
	static final class WhoAmIHandler implements ConnectionHandler {

		@Override
		public void onOpen(Connection connection) {
			InetSocketAddress proxy = connection.proxyAddress();
			connection.write("client " + connection.remoteAddress().getAddress().getHostAddress() + ":"
					+ connection.remoteAddress().getPort() + " proxy "
					+ ((proxy != null) ? proxy.getAddress().getHostAddress() + ":" + proxy.getPort() : "none")
					+ (connection.proxyHeader() != null && connection.proxyHeader().local() ? " local" : "")
					+ (connection.sslSession() != null ? " tls" : "") + "\n");
		}

		@Override
		public void onRead(Connection connection, ByteBuffer data) {
			connection.write(data);
		}

	}

	private SelectorServer start(ProxyProtocolSettings proxy, TlsSettings tls) {
		ConnectionObserver observer = new ConnectionObserver() {
			@Override
			public void connectionOpened(Connection connection) {
				ProxyProtocolServerTests.this.observed.add("open " + connection.remoteAddress());
			}

			@Override
			public void connectionClosed(Connection connection) {
				ProxyProtocolServerTests.this.observed.add("close " + connection.remoteAddress());
			}
		};
		return this.servers.start(new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("test", InetAddress.getLoopbackAddress(), 0, new WhoAmIHandler(), tls, proxy)),
				observer));
	}

	private SelectorServer start(ProxyProtocolMode mode) {
		return start(ProxyProtocolSettings.of(mode), null);
	}

	@Test
	void v1HeaderNamesTheClientToTheHandlerTheObserverAndTheConnectionList() throws Exception {
		SelectorServer server = start(ProxyProtocolMode.V1);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			// Header and first bytes in one write: what follows the header reaches the handler.
			send(socket, concat(ProxyHeaders.v1("PROXY TCP4 198.51.100.7 10.0.0.1 45678 9000"), bytes("ping\n")));
			assertThat(readLine(socket)).isEqualTo("client 198.51.100.7:45678 proxy 127.0.0.1:" + socket.getLocalPort());
			assertThat(readLine(socket)).isEqualTo("ping");
			Connection connection = server.connections().iterator().next();
			assertThat(connection.remoteAddress()).isEqualTo(new InetSocketAddress("198.51.100.7", 45678));
			assertThat(connection.proxyAddress().getPort()).isEqualTo(socket.getLocalPort());
			assertThat(this.observed).containsExactly("open /198.51.100.7:45678");
		}
		TestSockets.await(Duration.ofSeconds(10), "the close observed",
				() -> this.observed.contains("close /198.51.100.7:45678"));
		assertThat(server.listener("test").orElseThrow().proxyProtocolStats().headersAccepted(1)).isEqualTo(1);
	}

	@Test
	void v2HeaderSentOneByteAtATimeNamesAnIpv6Client() throws Exception {
		SelectorServer server = start(ProxyProtocolMode.ANY);
		byte[] header = ProxyHeaders.v2().tcp6("2001:db8::42", 50123, "2001:db8::1", 443).tlv(0x02, "chat.example")
			.crc32c().build();
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			OutputStream out = socket.getOutputStream();
			for (byte b : header) {
				out.write(b);
				out.flush();
			}
			send(socket, bytes("x\n"));
			assertThat(readLine(socket)).startsWith("client 2001:db8:0:0:0:0:0:42:50123 proxy 127.0.0.1:");
			assertThat(readLine(socket)).isEqualTo("x");
			assertThat(server.connections().iterator().next().proxyHeader().authority()).isEqualTo("chat.example");
		}
	}

	@Test
	void localHealthCheckKeepsTheSocketsAddressAndIsCountedAsLocal() throws Exception {
		SelectorServer server = start(ProxyProtocolMode.V2);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			send(socket, ProxyHeaders.v2().local().family(0x00).build());
			assertThat(readLine(socket)).isEqualTo("client 127.0.0.1:" + socket.getLocalPort() + " proxy 127.0.0.1:"
					+ socket.getLocalPort() + " local");
		}
		assertThat(server.listener("test").orElseThrow().proxyProtocolStats().localHeaders()).isEqualTo(1);
	}

	@Test
	void tlsFollowsTheV2HeaderOnTheSameConnection() throws Exception {
		SSLContext context = pki.context("localhost", false);
		TlsEngineFactory engines = (serverName, peer) -> {
			SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
			engine.setUseClientMode(false);
			return engine;
		};
		SelectorServer server = start(ProxyProtocolSettings.of(ProxyProtocolMode.V2),
				new TlsSettings(engines, Duration.ofSeconds(10), "test", null));
		try (Socket plain = TestSockets.connect(server.port("test"))) {
			send(plain, ProxyHeaders.v2().tcp4("192.0.2.10", 40001, "192.0.2.1", 443).build());
			SSLSocket tls = (SSLSocket) pki.trustingContext()
				.getSocketFactory()
				.createSocket(plain, "localhost", server.port("test"), true);
			tls.startHandshake();
			assertThat(readLine(tls)).isEqualTo("client 192.0.2.10:40001 proxy 127.0.0.1:" + plain.getLocalPort() + " tls");
			send(tls, bytes("secret\n"));
			assertThat(readLine(tls)).isEqualTo("secret");
		}
	}

	@Test
	void badHeadersAreClosedAndCountedByReasonWhileAGoodConnectionGoesOn() throws Exception {
		SelectorServer server = start(ProxyProtocolMode.ANY);
		ProxyProtocolStats stats = server.listener("test").orElseThrow().proxyProtocolStats();
		try (Socket good = TestSockets.connect(server.port("test"));
				LogCapture log = new LogCapture(ProxyProtocolTransport.class.getName())) {
			send(good, ProxyHeaders.v1("PROXY TCP4 203.0.113.1 10.0.0.1 1111 9000"));
			assertThat(readLine(good)).startsWith("client 203.0.113.1:1111");
			assertClosed(server, bytes("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"));
			assertClosed(server, bytes("GET / HTTP/1.1\r\n\r\n"));
			assertClosed(server, ("PROXY UNKNOWN " + "x".repeat(150)).getBytes(StandardCharsets.US_ASCII));
			assertClosed(server, ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).tlv(0xE0, new byte[2000]).build());
			assertClosed(server, ProxyHeaders.v2().family(0x31).addresses(new byte[216]).build());
			byte[] corrupt = ProxyHeaders.v2().tcp4("1.2.3.4", 1, "5.6.7.8", 2).crc32c().build();
			corrupt[17] ^= 1;
			assertClosed(server, corrupt);
			try (Socket truncated = TestSockets.connect(server.port("test"))) {
				send(truncated, bytes("PROXY TCP4 1.2"));
				truncated.shutdownOutput();
				assertThat(truncated.getInputStream().read()).isEqualTo(-1);
			}
			TestSockets.await(Duration.ofSeconds(10), "the refusals counted", () -> stats.headersRefused() == 7);
			assertThat(stats.headersRefused(ProxyHeaderRefusal.MALFORMED)).isEqualTo(2);
			assertThat(stats.headersRefused(ProxyHeaderRefusal.TOO_LONG)).isEqualTo(2);
			assertThat(stats.headersRefused(ProxyHeaderRefusal.UNSUPPORTED)).isEqualTo(1);
			assertThat(stats.headersRefused(ProxyHeaderRefusal.CHECKSUM)).isEqualTo(1);
			assertThat(stats.headersRefused(ProxyHeaderRefusal.TRUNCATED)).isEqualTo(1);
			send(good, bytes("still here\n"));
			assertThat(readLine(good)).isEqualTo("still here");
			assertThat(log.text()).contains("PROXY protocol header refused: checksum");
			assertThat(this.observed).as("refused connections are never reported open").hasSize(1);
		}
	}

	@Test
	void aSlowHeaderIsClosedAtTheHeaderTimeout() throws Exception {
		SelectorServer server = start(new ProxyProtocolSettings(ProxyProtocolMode.V1, List.of(), Duration.ofSeconds(3),
				1024), null);
		try (Socket slow = TestSockets.connect(server.port("test"))) {
			send(slow, bytes("PROXY TCP4 "));
			long start = System.nanoTime();
			slow.setSoTimeout(10_000);
			assertThat(slow.getInputStream().read()).isEqualTo(-1);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2500));
		}
		assertThat(server.listener("test").orElseThrow().proxyProtocolStats()
			.headersRefused(ProxyHeaderRefusal.TIMEOUT)).isEqualTo(1);
	}

	@Test
	void aPeerOutsideTheTrustedProxiesIsRefusedBeforeItSendsAnything() throws Exception {
		SelectorServer server = start(new ProxyProtocolSettings(ProxyProtocolMode.ANY,
				List.of(CidrRange.parse("10.0.0.0/8"), CidrRange.parse("::1/128")), Duration.ofSeconds(5), 1024), null);
		try (LogCapture log = new LogCapture(ProxyProtocolTransport.class.getName())) {
			for (int i = 0; i < 2; i++) {
				try (Socket untrusted = TestSockets.connect(server.port("test"))) {
					untrusted.setSoTimeout(10_000);
					assertThat(untrusted.getInputStream().read()).isEqualTo(-1);
				}
			}
			TestSockets.await(Duration.ofSeconds(10), "both counted", () -> server.listener("test").orElseThrow()
				.proxyProtocolStats().headersRefused(ProxyHeaderRefusal.UNTRUSTED) == 2);
			assertThat(log.text()).containsOnlyOnce("later ones are logged at DEBUG");
		}
		assertThat(this.observed).isEmpty();
	}

	private static void assertClosed(SelectorServer server, byte[] header) throws IOException {
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.setSoTimeout(10_000);
			send(socket, header);
			try {
				assertThat(socket.getInputStream().read()).isEqualTo(-1);
			}
			catch (java.net.SocketException ex) {
				// a reset: the server closed with our unread bytes in its buffer
			}
		}
	}

	private static void send(Socket socket, byte[] bytes) throws IOException {
		socket.getOutputStream().write(bytes);
		socket.getOutputStream().flush();
	}

	private static String readLine(Socket socket) throws IOException {
		socket.setSoTimeout(10_000);
		InputStream in = socket.getInputStream();
		StringBuilder line = new StringBuilder();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IOException("closed after '" + line + "'");
			}
			line.append((char) b);
		}
		return line.toString();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
