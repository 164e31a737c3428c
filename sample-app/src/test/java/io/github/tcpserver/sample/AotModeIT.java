package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged sample application, processed ahead of time at build time ({@code process-aot}),
 * started in AOT mode ({@code -Dspring.aot.enabled=true}): every listener the
 * {@code @SocketHandler} beans declare answers, and the Actuator's health contributor,
 * {@code tcpserver} endpoint and TCP meters work from the generated bean definitions.
 */
class AotModeIT {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void inAotModeEveryListenerAnswersAndTheActuatorSeesTheServer(@TempDir Path dir) throws Exception {
		try (SampleProcess sample = SampleProcess.start(dir.resolve("sample.log"), "-Dspring.aot.enabled=true")) {
			assertThat(sample.startupLog()).contains("Starting AOT-processed SampleApplication");

			try (Socket echo = connect(sample.listenerPort("echo"))) {
				echo.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(new String(echo.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
			}
			try (Socket chat = connect(sample.listenerPort("chat"))) {
				assertThat(new BufferedReader(new InputStreamReader(chat.getInputStream(), StandardCharsets.UTF_8))
					.readLine()).startsWith("* Welcome to the chat!");
			}
			try (Socket framed = connect(sample.listenerPort("chatFramed"))) {
				DataInputStream in = new DataInputStream(framed.getInputStream());
				byte[] frame = new byte[in.readInt()];
				in.readFully(frame);
				assertThat(new String(frame, StandardCharsets.UTF_8)).startsWith("* Welcome to the chat!");
				new DataOutputStream(framed.getOutputStream()).writeInt(0);
			}
			try (Socket download = connect(sample.listenerPort("download"))) {
				download.getOutputStream().write("3\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(download.getInputStream().readNBytes(3)).hasSize(3);
			}
			HttpResponse<String> hello = get(sample.listenerPort("http"), "/");
			assertThat(hello.statusCode()).isEqualTo(200);
			assertThat(hello.body()).isEqualTo("Hello, world!");
			// The SSL bundle and the TLS layer work from the generated definitions too.
			HttpClient https = HttpClient.newBuilder().sslContext(sampleCa()).connectTimeout(Duration.ofSeconds(5)).build();
			HttpResponse<String> secure = https.send(HttpRequest
				.newBuilder(URI.create("https://localhost:" + sample.listenerPort("https") + "/"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(secure.statusCode()).isEqualTo(200);
			assertThat(secure.body()).isEqualTo("Hello, world!");

			JsonMapper json = JsonMapper.builder().build();
			JsonNode health = json.readTree(get(sample.actuatorPort(), "/actuator/health").body());
			assertThat(health.at("/components/tcpServer/status").asString()).isEqualTo("UP");
			assertThat(health.at("/components/tcpServer/details/listeners").size()).isEqualTo(9);
			JsonNode server = json.readTree(get(sample.actuatorPort(), "/actuator/tcpserver").body());
			assertThat(server.path("state").asString()).isEqualTo("RUNNING");
			assertThat(server.path("listeners").size()).isEqualTo(9);
			assertThat(get(sample.actuatorPort(), "/actuator/prometheus").body())
				.contains("tcp_server_http_requests_seconds_count{").contains("tcp_server_connections_accepted");
		}
	}

	private static Socket connect(int port) throws Exception {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
		socket.setSoTimeout(10_000);
		return socket;
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** @return a client context that trusts the sample's development CA */
	private static javax.net.ssl.SSLContext sampleCa() throws Exception {
		java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		try (java.io.InputStream in = AotModeIT.class.getResourceAsStream("/tls/sample-ca.crt")) {
			trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory
			.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
		trustManagers.init(trust);
		javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
		context.init(null, trustManagers.getTrustManagers(), null);
		return context;
	}

}
