package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.application.SslHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sample's TLS listeners with real clients trusting the sample's development CA:
 * {@code curl --cacert} as the README gives it, the JDK (with and without the sample client
 * certificate), and the chat client's TLS option.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SpringBootTest(properties = { "tcp.server.port=0", "chat.port=0", "chat.framed-port=0", "http.port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0", "sample.tls.chat-port=0",
		"sample.tls.mutual-port=0", "tcp.server.address=127.0.0.1" })
class TlsSampleTests {

	@Autowired
	SelectorServer server;

	@Autowired
	SslHealthIndicator sslHealth;

	private static Path resource(String name) throws URISyntaxException {
		return Path.of(TlsSampleTests.class.getResource("/tls/" + name).toURI());
	}

	@Test
	void httpsAnswersCurlTrustingTheSampleCa() throws Exception {
		int port = this.server.port("https");
		String body = run("curl", "-sS", "--max-time", "20", "--cacert", resource("sample-ca.crt").toString(),
				"https://localhost:" + port + "/", "--resolve", "localhost:" + port + ":127.0.0.1");
		assertThat(body).isEqualTo("Hello, world!");
	}

	@Test
	void theMutualTlsListenerEchoesForAClientCertificateOfTheSampleCaOnly() throws Exception {
		int port = this.server.port("echoMutualTls");
		try (SSLSocket socket = connect(context(true), port)) {
			socket.getOutputStream().write("with a certificate\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(reader(socket).readLine()).isEqualTo("with a certificate");
		}
		try (SSLSocket socket = connect(context(false), port)) {
			socket.getOutputStream().write("without\n".getBytes(StandardCharsets.US_ASCII));
			assertThatThrownBy(() -> reader(socket).readLine()).isInstanceOf(IOException.class);
		}
		catch (IOException refusedDuringTheHandshake) {
			// the refusal may also come while the client finishes its handshake
		}
	}

	@Test
	void theChatClientTalksToTheTlsChatListenerTrustingTheSampleCa() throws Exception {
		PipedOutputStream keyboard = new PipedOutputStream();
		ByteArrayOutputStream screen = new ByteArrayOutputStream();
		PipedInputStream stdin = new PipedInputStream(keyboard);
		PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
		CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> ChatClient.run(new String[] {
				"--chat.client.name=alice", "--chat.client.host=localhost",
				"--chat.client.port=" + this.server.port("chatTls"), "--chat.client.tls=true",
				"--chat.client.ca-file=" + uncheckedResource("sample-ca.crt") }, stdin, out, out));
		await(() -> screen.toString(StandardCharsets.UTF_8).contains("* Welcome, alice!"));
		assertThat(screen.toString(StandardCharsets.UTF_8)).contains("over TLSv1.3");
		keyboard.write("/quit\n".getBytes(StandardCharsets.UTF_8));
		keyboard.flush();
		assertThat(client.get(10, TimeUnit.SECONDS)).isEqualTo(ChatClient.EXIT_QUIT);
		keyboard.close();
	}

	@Test
	void bootsSslHealthIndicatorSeesTheSampleBundle() {
		Health health = this.sslHealth.health(true);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		// The sample bundle is the application's only one.
		assertThat((List<?>) health.getDetails().get("validChains")).hasSize(1);
		assertThat((List<?>) health.getDetails().get("invalidChains")).isEmpty();
	}

	@Test
	void theEchoListenerSpeaksTlsAndThePlainOneDoesNot() throws Exception {
		assertThat(this.server.listener("echoTls").orElseThrow().isTls()).isTrue();
		assertThat(this.server.listener("echo").orElseThrow().isTls()).isFalse();
		try (SSLSocket socket = connect(context(false), this.server.port("echoTls"))) {
			socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(reader(socket).readLine()).isEqualTo("ping");
		}
	}

	/** A client context trusting the sample CA, presenting the sample client certificate or none. */
	static SSLContext context(boolean withCertificate) throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", certificate("sample-ca.crt"));
		TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trustManagers.init(trust);
		KeyManagerFactory keyManagers = null;
		if (withCertificate) {
			String pem = Files.readString(resource("sample-client.key"));
			byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(null, null);
			keys.setKeyEntry("client", KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)),
					new char[0], new Certificate[] { certificate("sample-client.crt") });
			keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keyManagers.init(keys, new char[0]);
		}
		SSLContext context = SSLContext.getInstance("TLS");
		context.init((keyManagers != null) ? keyManagers.getKeyManagers() : null, trustManagers.getTrustManagers(), null);
		return context;
	}

	private static Certificate certificate(String name) throws Exception {
		try (InputStream in = Files.newInputStream(resource(name))) {
			return CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	private static SSLSocket connect(SSLContext context, int port) throws IOException {
		Socket plain = new Socket();
		plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
		socket.setSoTimeout(10_000);
		socket.startHandshake();
		return socket;
	}

	private static BufferedReader reader(Socket socket) throws IOException {
		return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
	}

	private static String uncheckedResource(String name) {
		try {
			return resource(name).toString();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void await(java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
			LockSupport.parkNanos(5_000_000); // poll interval of a deadline wait
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
		process.getOutputStream().close();
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return ex.toString();
			}
		});
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
		return output.join();
	}

}
