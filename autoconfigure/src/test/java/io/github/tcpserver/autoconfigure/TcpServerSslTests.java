package io.github.tcpserver.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.actuate.TcpServerMetricsBinder;
import io.github.tcpserver.blocking.StreamHandler;
import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.TlsHandshakeThreads;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.LocalChatRoom;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.LogCapture;
import io.github.tcpserver.test.TestCertificates;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS through Spring Boot SSL bundles, with real clients on loopback: the JDK's {@link SSLSocket}
 * and {@link HttpClient}, {@code openssl s_client} and {@code curl}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class TcpServerSslTests {

	/** The logger of the TLS layer, which reports failed handshakes at DEBUG. */
	private static final String TLS_LOG = "io.github.tcpserver.core.TlsTransport";

	@TempDir
	static Path directory;

	static TestCertificates pki;

	@BeforeAll
	static void makeCertificates() {
		pki = TestCertificates.create(directory)
			.issue("localhost", "localhost")
			.issue("other", "other.test")
			.issue("client");
	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class, SslAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=2",
				"tcp.server.ssl.bundle=server")
		.withPropertyValues(bundle("server", "localhost"))
		.withPropertyValues(bundle("other", "other"));

	private static String[] bundle(String name, String leaf) {
		String prefix = "spring.ssl.bundle.pem." + name + ".";
		return new String[] { prefix + "keystore.certificate=file:" + pki.certificate(leaf),
				prefix + "keystore.private-key=file:" + pki.privateKey(leaf),
				prefix + "truststore.certificate=file:" + pki.caCertificate() };
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void echoOverTlsWithTheJdkClientInOneByteRecords(String protocol) {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			try (SSLSocket socket = connect(pki.trustingContext(), server.port("echo"), "localhost", protocol)) {
				OutputStream out = socket.getOutputStream();
				byte[] message = "split into one-byte records\n".getBytes(StandardCharsets.US_ASCII);
				for (byte b : message) {
					out.write(b); // each write is a TLS record of one byte
					out.flush();
				}
				assertThat(TestSockets.readFully(socket.getInputStream(), message.length)).isEqualTo(message);
				assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
			}
			Listener listener = server.listener("echo").orElseThrow();
			assertThat(listener.isTls()).isTrue();
			TestSockets.await(Duration.ofSeconds(5), "the handshake counted",
					() -> listener.tlsStats().handshakesCompleted() == 1);
		});
	}

	@Test
	void aLargeEchoIsByteExact() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			int port = context.getBean(SelectorServer.class).port("echo");
			byte[] payload = TestSockets.randomBytes(8 * 1024 * 1024, 7);
			try (SSLSocket socket = connect(pki.trustingContext(), port, "localhost", "TLSv1.3")) {
				Thread writer = new Thread(() -> {
					try {
						socket.getOutputStream().write(payload);
						socket.getOutputStream().flush();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				});
				writer.start();
				assertThat(TestSockets.readFully(socket.getInputStream(), payload.length)).isEqualTo(payload);
				writer.join();
			}
		});
	}

	@Test
	void httpsWithTheJdkHttpClientAndCurl() {
		this.runner.withUserConfiguration(HttpConfiguration.class).run((context) -> {
			int port = context.getBean(SelectorServer.class).port("http");
			HttpClient client = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.sslContext(pki.trustingContext())
				.build();
			URI uri = URI.create("https://127.0.0.1:" + port + "/hello");
			for (int i = 0; i < 3; i++) { // keep-alive: one handshake, several requests
				java.net.http.HttpResponse<String> response = client
					.send(java.net.http.HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("hello over TLS");
			}
			String curl = run(List.of("curl", "-sS", "--max-time", "20", "--cacert", pki.caCertificate().toString(),
					"--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/hello"), null);
			assertThat(curl).isEqualTo("hello over TLS");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "-tls1_3", "-tls1_2" })
	void echoWithOpensslSClient(String protocol) {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			int port = context.getBean(SelectorServer.class).port("echo");
			String output = run(List.of("openssl", "s_client", protocol, "-connect", "127.0.0.1:" + port, "-servername",
					"localhost", "-CAfile", pki.caCertificate().toString(), "-verify_return_error", "-brief"),
					"hello from openssl\n");
			assertThat(output).contains("hello from openssl")
				.contains("Protocol version: " + ((protocol.equals("-tls1_3")) ? "TLSv1.3" : "TLSv1.2"));
		});
	}

	@Test
	void offloadedAndStreamHandlersWorkOverTlsUnchanged() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withUserConfiguration(BlockingConfiguration.class)
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				for (String listener : List.of("offloadedEcho", "streamEcho")) {
					assertThat(server.listener(listener).orElseThrow().isTls()).isTrue();
					try (SSLSocket socket = connect(pki.trustingContext(), server.port(listener), "localhost", "TLSv1.3")) {
						echo(socket, "blocking over TLS on " + listener);
						byte[] large = TestSockets.randomBytes(1024 * 1024, 9);
						Thread writer = new Thread(() -> {
							try {
								socket.getOutputStream().write(large);
							}
							catch (IOException ex) {
								throw new IllegalStateException(ex);
							}
						});
						writer.start();
						assertThat(TestSockets.readFully(socket.getInputStream(), large.length)).isEqualTo(large);
						writer.join();
					}
				}
			});
	}

	@Test
	void aHandshakeExecutorBeanRunsTheHandshakeWork() {
		this.runner.withUserConfiguration(EchoConfiguration.class, HandshakeExecutorConfiguration.class)
			.withPropertyValues("tcp.server.ssl.handshake-executor=handshakes")
			.run((context) -> {
				int port = context.getBean(SelectorServer.class).port("echo");
				try (SSLSocket socket = connect(pki.trustingContext(), port, "localhost", "TLSv1.3")) {
					echo(socket, "handshake done elsewhere");
				}
				assertThat(context.getBean(HandshakeExecutorConfiguration.class).used.get()).isPositive();
			});
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.handshake-executor=nope")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void handshakesRunOnTheSharedHandshakeThreadsByDefault() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listenerSpecs()).singleElement()
				.satisfies((spec) -> assertThat(spec.tls().handshakeExecutor()).isSameAs(TlsHandshakeThreads.shared()));
			long before = TlsHandshakeThreads.shared().completedTasks();
			try (SSLSocket socket = connect(pki.trustingContext(), server.port("echo"), "localhost", "TLSv1.3")) {
				echo(socket, "handshake on the shared threads");
			}
			TestSockets.await(Duration.ofSeconds(10), "a handshake task done on the shared threads",
					() -> TlsHandshakeThreads.shared().completedTasks() > before);
		});
	}

	@Test
	void handshakesRunOnTheIoThreadsWhenAskedTo() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.handshake-executor=io-threads")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				assertThat(server.listenerSpecs()).singleElement()
					.satisfies((spec) -> assertThat(spec.tls().handshakeExecutor()).isNull());
				try (SSLSocket socket = connect(pki.trustingContext(), server.port("echo"), "localhost", "TLSv1.2")) {
					echo(socket, "handshake on the I/O thread");
				}
			});
	}

	@Test
	void chatOverTlsLines() {
		this.runner.withUserConfiguration(ChatConfiguration.class).run((context) -> {
			int port = context.getBean(SelectorServer.class).port("chat");
			try (SSLSocket alice = connect(pki.trustingContext(), port, "localhost", "TLSv1.3");
					SSLSocket bob = connect(pki.trustingContext(), port, "localhost", "TLSv1.3")) {
				BufferedReader aliceIn = reader(alice);
				BufferedReader bobIn = reader(bob);
				assertThat(aliceIn.readLine()).startsWith("* Welcome to the chat!");
				assertThat(bobIn.readLine()).startsWith("* Welcome to the chat!");
				send(alice, "NAME: alice");
				assertThat(aliceIn.readLine()).startsWith("* Welcome, alice!");
				send(bob, "NAME: bob");
				assertThat(bobIn.readLine()).startsWith("* Welcome, bob!");
				assertThat(aliceIn.readLine()).isEqualTo("* bob joined the room");
				send(bob, "hello alice");
				assertThat(aliceIn.readLine()).endsWith("hello alice");
			}
		});
	}

	@Test
	void mutualTlsAcceptsAClientCertificateOfTheTrustedCaAndShowsItToTheHandler() {
		this.runner.withUserConfiguration(PeerConfiguration.class)
			.withPropertyValues("tcp.server.ssl.client-auth=need")
			.run((context) -> {
				int port = context.getBean(SelectorServer.class).port("peer");
				try (SSLSocket socket = connect(pki.context("client", true), port, "localhost", "TLSv1.3")) {
					assertThat(reader(socket).readLine()).isEqualTo("hello CN=client");
				}
			});
	}

	@Test
	void theEndpointAndTheMetersShowTheListenersTlsAndEachConnectionsSession() {
		this.runner.withUserConfiguration(PeerConfiguration.class)
			.withPropertyValues("tcp.server.ssl.client-auth=need")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				new TcpServerMetricsBinder(registry).bindTo(server);
				TcpServerEndpoint endpoint = new TcpServerEndpoint(server);
				assertThat(endpoint.server(null, null).listeners().get(0).tls().description())
					.isEqualTo("bundle 'server', client auth need");
				try (SSLSocket socket = connect(pki.context("client", true), server.port("peer"), "localhost", "TLSv1.3")) {
					assertThat(reader(socket).readLine()).isEqualTo("hello CN=client");
					TcpServerEndpoint.ConnectionDescriptor connection = endpoint.server(null, null).connections().items().get(0);
					assertThat(connection.tls().protocol()).isEqualTo("TLSv1.3");
					assertThat(connection.tls().cipherSuite()).startsWith("TLS_");
					assertThat(connection.tls().peerSubject()).isEqualTo("CN=client");
					// Plaintext beside wire bytes: the greeting is 16 bytes, its record and the
					// handshake flights are more on the wire.
					socket.getOutputStream().write(new byte[1000]);
					socket.getOutputStream().flush();
					TestSockets.await(Duration.ofSeconds(10), "1000 plaintext bytes counted", () -> endpoint
						.server(null, null).connections().items().get(0).tls().plaintextBytesReceived() == 1000);
					TcpServerEndpoint.ConnectionDescriptor counted = endpoint.server(null, null).connections().items().get(0);
					assertThat(counted.tls().plaintextBytesSent()).isEqualTo("hello CN=client\n".length());
					assertThat(counted.bytesSent()).isGreaterThan(1000);
					assertThat(counted.bytesReceived()).isGreaterThan(1000 + 22);
				}
				assertThat(registry.get("tcp.server.tls.handshakes").tag("outcome", "completed").functionCounter().count())
					.isEqualTo(1);
				assertThat(registry.get("tcp.server.tls.handshake.duration").functionTimer().count()).isEqualTo(1);
				assertThat(endpoint.server(null, null).listeners().get(0).tls().handshakesCompleted()).isEqualTo(1);
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void mutualTlsRefusesAClientWithoutACertificate(String protocol) {
		LogCapture output = new LogCapture(TLS_LOG);
		this.runner.withUserConfiguration(PeerConfiguration.class)
			.withPropertyValues("tcp.server.ssl.client-auth=need")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				try (SSLSocket socket = connect(pki.trustingContext(), server.port("peer"), "localhost", protocol)) {
					// In TLS 1.3 the client's handshake ends before the server has checked it: the refusal
					// arrives as an alert on the first read.
					assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SSLException.class);
				}
				catch (IOException refusedDuringHandshake) {
					// TLS 1.2: the handshake itself fails (an alert, or the closed socket under the client's Finished)
				}
				Listener listener = server.listener("peer").orElseThrow();
				TestSockets.await(Duration.ofSeconds(5), "the failed handshake counted",
						() -> listener.tlsStats().handshakesFailed() == 1);
				assertThat(listener.tlsStats().handshakesCompleted()).isZero();
				assertThat(output.text()).contains("failed (bundle 'server', client auth need): Empty client certificate chain");
			});
		output.close();
	}

	@Test
	void wantedClientAuthenticationAcceptsAClientWithoutACertificate() {
		this.runner.withUserConfiguration(PeerConfiguration.class)
			.withPropertyValues("tcp.server.ssl.client-auth=want")
			.run((context) -> {
				int port = context.getBean(SelectorServer.class).port("peer");
				try (SSLSocket socket = connect(pki.trustingContext(), port, "localhost", "TLSv1.3")) {
					assertThat(reader(socket).readLine()).isEqualTo("hello anonymous");
				}
				try (SSLSocket socket = connect(pki.context("client", true), port, "localhost", "TLSv1.3")) {
					assertThat(reader(socket).readLine()).isEqualTo("hello CN=client");
				}
			});
	}

	@Test
	void theServerNameTheClientAsksForChoosesTheBundle() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.server-name-bundles[0].server-name=other.test",
					"tcp.server.ssl.server-name-bundles[0].bundle=other")
			.run((context) -> {
				int port = context.getBean(SelectorServer.class).port("echo");
				assertThat(serverCertificate(port, "other.test")).isEqualTo("CN=other");
				assertThat(serverCertificate(port, "localhost")).isEqualTo("CN=localhost");
				assertThat(serverCertificate(port, "unknown.test")).isEqualTo("CN=localhost");
			});
	}

	@Test
	void aListenerCanStayPlainWhileTheOthersUseTheDefaultBundle() {
		this.runner.withUserConfiguration(EchoConfiguration.class, PlainConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listener("plain").orElseThrow().isTls()).isFalse();
			assertThat(server.listener("echo").orElseThrow().isTls()).isTrue();
			try (Socket socket = TestSockets.connect(server.port("plain"))) {
				socket.getOutputStream().write("plain\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(reader(socket).readLine()).isEqualTo("plain");
			}
		});
	}

	@Test
	void anUnknownBundleFailsStartUpNamingIt() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.bundle=missing")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (!(failure instanceof SocketHandlerConfigurationException) && failure.getCause() != null) {
					failure = failure.getCause();
				}
				assertThat(failure).isInstanceOf(SocketHandlerConfigurationException.class)
					.hasMessageContaining("listener 'echo' uses SSL bundle 'missing'")
					.hasMessageContaining("[");
				assertThat(new SocketHandlerConfigurationFailureAnalyzer().analyze(failure).getAction())
					.contains("spring.ssl.bundle.pem.missing");
			});
	}

	@Test
	void plaintextAndGarbageOnATlsPortAreClosedAtOnceAndCounted() {
		LogCapture output = new LogCapture(TLS_LOG);
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			for (byte[] junk : List.of("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
					new byte[] { 0, 1, 2, 3, 4, 5, 6, 7 })) {
				try (Socket socket = TestSockets.connect(server.port("echo"))) {
					socket.setSoTimeout(5000);
					socket.getOutputStream().write(junk);
					assertThat(readUntilClosed(socket.getInputStream())).isZero();
				}
			}
			Listener listener = server.listener("echo").orElseThrow();
			TestSockets.await(Duration.ofSeconds(5), "the failures counted",
					() -> listener.tlsStats().handshakesFailed() == 2);
			TestSockets.await(Duration.ofSeconds(5), "the failures logged", () -> output.text().contains("0x0001"));
			assertThat(output.text())
				.contains("failed: not a TLS handshake: the client's first bytes are 'GET / HTTP/1.1\\r\\n")
				.contains("failed: not a TLS handshake: the client's first bytes are 0x0001020304050607");
		});
		output.close();
	}

	@Test
	void aSilentClientIsClosedAtTheHandshakeTimeoutAndCounted() {
		LogCapture output = new LogCapture(TLS_LOG);
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.handshake-timeout=300ms")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				long started = System.nanoTime();
				try (Socket socket = TestSockets.connect(server.port("echo"))) {
					socket.setSoTimeout(5000);
					assertThat(readUntilClosed(socket.getInputStream())).isZero();
				}
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
				Listener listener = server.listener("echo").orElseThrow();
				assertThat(listener.tlsStats().handshakesTimedOut()).isEqualTo(1);
				assertThat(listener.tlsStats().handshakesFailed()).isEqualTo(1);
				assertThat(output.text()).containsPattern("TLS handshake with /127.0.0.1:\\d+ failed: handshake not"
						+ " completed within 300 ms \\(the client sent nothing\\)");
			});
		output.close();
	}

	@Test
	void aReloadedBundleIsUsedByTheNextHandshakeWhileOpenConnectionsCarryOn(CapturedOutput output) throws Exception {
		Path certificate = directory.resolve("reloading.crt");
		Path key = directory.resolve("reloading.key");
		Files.copy(pki.certificate("localhost"), certificate, StandardCopyOption.REPLACE_EXISTING);
		Files.copy(pki.privateKey("localhost"), key, StandardCopyOption.REPLACE_EXISTING);
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.ssl.bundle=reloading",
					"spring.ssl.bundle.pem.reloading.keystore.certificate=file:" + certificate,
					"spring.ssl.bundle.pem.reloading.keystore.private-key=file:" + key,
					"spring.ssl.bundle.pem.reloading.reload-on-update=true",
					"spring.ssl.bundle.watch.file.quiet-period=100ms")
			.run((context) -> {
				int port = context.getBean(SelectorServer.class).port("echo");
				try (SSLSocket open = connect(pki.trustingContext(), port, "localhost", "TLSv1.3")) {
					echo(open, "before");
					assertThat(certificateName(open)).isEqualTo("CN=localhost");
					Files.copy(pki.privateKey("other"), key, StandardCopyOption.REPLACE_EXISTING);
					Files.copy(pki.certificate("other"), certificate, StandardCopyOption.REPLACE_EXISTING);
					TestSockets.await(Duration.ofSeconds(30), "a handshake with the new certificate",
							() -> serverCertificate(port, "localhost").equals("CN=other"));
					echo(open, "still open with the old certificate");

					Files.writeString(certificate, "not a certificate");
					TestSockets.await(Duration.ofSeconds(30), "the failed reload logged",
							() -> output.getOut().contains("SSL bundle 'reloading' changed but cannot be used")
									|| output.getErr().contains("SSL bundle 'reloading' changed but cannot be used"));
					assertThat(serverCertificate(port, "localhost")).isEqualTo("CN=other");
				}
			});
	}

	// ------------------------------------------------------------------ clients

	private static SSLSocket connect(SSLContext context, int port, String serverName, String protocol)
			throws IOException {
		Socket plain = TestSockets.connect(port);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, port, true);
		socket.setEnabledProtocols(new String[] { protocol });
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setServerNames(List.of(new SNIHostName(serverName)));
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		socket.setSSLParameters(parameters);
		socket.startHandshake();
		return socket;
	}

	/** @return the subject of the certificate the server presents for {@code serverName} */
	private static String serverCertificate(int port, String serverName) {
		try (SSLSocket socket = (SSLSocket) pki.trustingContext()
			.getSocketFactory()
			.createSocket(TestSockets.connect(port), serverName, port, true)) {
			SSLParameters parameters = socket.getSSLParameters();
			parameters.setServerNames(List.of(new SNIHostName(serverName)));
			socket.setSSLParameters(parameters);
			socket.startHandshake();
			return certificateName(socket);
		}
		catch (IOException ex) {
			return "failed: " + ex;
		}
	}

	private static String certificateName(SSLSocket socket) throws IOException {
		return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
	}

	private static void echo(SSLSocket socket, String line) throws IOException {
		send(socket, line);
		assertThat(reader(socket).readLine()).isEqualTo(line);
	}

	private static void send(Socket socket, String line) throws IOException {
		socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		socket.getOutputStream().flush();
	}

	private static BufferedReader reader(Socket socket) throws IOException {
		return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
	}

	/** @return bytes read before the server closed the connection */
	private static int readUntilClosed(InputStream in) throws IOException {
		int total = 0;
		try {
			for (int n; (n = in.read(new byte[1024])) >= 0;) {
				total += n;
			}
		}
		catch (java.net.SocketException reset) {
			// closed with unread input: a reset is a close too
		}
		return total;
	}

	/**
	 * Runs a command line client and returns its output. With {@code input}, its input is closed
	 * (which ends {@code openssl s_client}) once the output shows the input echoed, or after 20 s.
	 */
	private static String run(List<String> command, String input) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		StringBuffer output = new StringBuffer();
		Thread reader = new Thread(() -> {
			byte[] chunk = new byte[4096];
			try (InputStream in = process.getInputStream()) {
				for (int n; (n = in.read(chunk)) >= 0;) {
					output.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		});
		reader.start();
		if (input != null) {
			process.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
			process.getOutputStream().flush();
			try {
				TestSockets.await(Duration.ofSeconds(20), "the echo",
						() -> output.indexOf(input.trim()) >= 0 || !reader.isAlive());
			}
			finally {
				process.getOutputStream().close();
			}
		}
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(command.get(0) + " did not end: " + output);
		}
		reader.join(5000);
		return output.toString();
	}

	// ------------------------------------------------------------------ handlers

	@Configuration(proxyBeanMethods = false)
	static class EchoConfiguration {

		@Bean
		@SocketHandler
		EchoHandler echo() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainConfiguration {

		@Bean
		@SocketHandler(port = "0", sslBundle = SocketHandler.NO_SSL)
		EchoHandler plain() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HandshakeExecutorConfiguration {

		final java.util.concurrent.atomic.AtomicInteger used = new java.util.concurrent.atomic.AtomicInteger();

		@Bean(destroyMethod = "shutdownNow")
		java.util.concurrent.ExecutorService pool() {
			return java.util.concurrent.Executors.newFixedThreadPool(2);
		}

		@Bean
		java.util.concurrent.Executor handshakes(java.util.concurrent.ExecutorService pool) {
			return (task) -> {
				this.used.incrementAndGet();
				pool.execute(task);
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingConfiguration {

		@Bean
		@SocketHandler(port = "0", blocking = true)
		EchoHandler offloadedEcho() {
			return new EchoHandler();
		}

		@Bean
		@SocketHandler(port = "0")
		StreamHandler streamEcho() {
			return (connection) -> connection.getInputStream().transferTo(connection.getOutputStream());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HttpConfiguration {

		@Bean
		@SocketHandler
		HttpServerHandler http() {
			return new HttpServerHandler(
					new HttpRouter().get("/hello", (request) -> HttpResponse.ok().body("hello over TLS")),
					HttpLimits.defaults());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ChatConfiguration {

		@Bean
		@SocketHandler
		FramingHandler<String> chat() {
			return new FramingHandler<>(new LineCodec(1024), new ChatProtocol(new LocalChatRoom()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PeerConfiguration {

		/** Greets the client by the subject of its certificate, from the TLS session. */
		@Bean
		@SocketHandler
		ConnectionHandler peer() {
			return new ConnectionHandler() {

				@Override
				public void onOpen(Connection connection) {
					String name;
					try {
						name = connection.sslSession().getPeerPrincipal().getName();
					}
					catch (javax.net.ssl.SSLPeerUnverifiedException ex) {
						name = "anonymous";
					}
					connection.write("hello " + name + "\n");
				}

				@Override
				public void onRead(Connection connection, java.nio.ByteBuffer data) {
					data.position(data.limit());
				}

			};
		}

	}

}
