package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two packaged sample applications ({@code java -jar}) sharing one chat room through a real
 * {@code redis-server} on a free loopback port: a member of one instance talks to a member of the
 * other, then one instance is killed with SIGKILL and the survivor announces its member as left
 * and frees the name within {@code chat.cluster.member-ttl}.
 */
class ChatClusterIT {

	private static final Duration MEMBER_TTL = Duration.ofSeconds(3);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private final List<Process> processes = new ArrayList<>();

	private final List<Socket> sockets = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		for (Process process : this.processes) {
			process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
		}
	}

	@Test
	void twoInstancesShareOneRoomAndTheSurvivorOfAKillAnnouncesTheLeaves(@TempDir Path dir) throws Exception {
		int redisPort = freePort();
		Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no")
			.directory(dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("redis.log").toFile())
			.start();
		this.processes.add(redis);
		await(Duration.ofSeconds(20), "redis-server on port " + redisPort, () -> redisAnswers(redisPort));

		Process one = start(dir.resolve("one.log"), redisPort);
		Process two = start(dir.resolve("two.log"), redisPort);
		String oneLog = awaitLog(one, dir.resolve("one.log"), "Started SampleApplication");
		String twoLog = awaitLog(two, dir.resolve("two.log"), "Started SampleApplication");
		int twoHttp = group(twoLog, "Tomcat started on port (\\d+)");

		Client alice = login(group(oneLog, "'chat' on 127\\.0\\.0\\.1:(\\d+)"), "alice");
		Client bob = login(group(twoLog, "'chat' on 127\\.0\\.0\\.1:(\\d+)"), "bob");
		assertThat(alice.readUntil("* bob joined the room")).isSubsetOf("* alice joined the room");
		bob.send("hello from two");
		assertThat(alice.readLine()).isEqualTo("bob: hello from two");
		alice.send("/msg BOB hi from one");
		assertThat(bob.readUntil("alice (private): hi from one")).isSubsetOf("* alice joined the room");
		bob.send("/who");
		assertThat(bob.readLine()).isEqualTo("* In the room (2): alice, bob");
		JsonNode cluster = get(twoHttp, "/actuator/chat");
		assertThat(cluster.path("redis").asString()).isEqualTo("UP");
		assertThat(cluster.path("instances").size()).isEqualTo(2);
		assertThat(get(twoHttp, "/actuator/health").at("/components/chatRoom/status").asString()).isEqualTo("UP");

		long killed = System.nanoTime();
		one.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
		assertThat(bob.readLine()).isEqualTo("* alice left the room (its server stopped responding)");
		assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(MEMBER_TTL.plusSeconds(2));
		Client newAlice = login(group(twoLog, "'chat' on 127\\.0\\.0\\.1:(\\d+)"), "Alice");
		assertThat(bob.readLine()).isEqualTo("* Alice joined the room");
		newAlice.send("/who");
		assertThat(newAlice.readLine()).isEqualTo("* In the room (2): Alice, bob");
		await(Duration.ofSeconds(10), "the killed instance gone from the chat endpoint",
				() -> get(twoHttp, "/actuator/chat").path("instances").size() == 1);
	}

	private Process start(Path log, int redisPort) throws IOException {
		Path jar = Paths.get(System.getProperty("sample.jar", "target/tcp-server-sample-app.jar"));
		assertThat(jar).exists();
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--server.port=0",
				"--server.address=127.0.0.1", "--tcp.server.port=0", "--tcp.server.address=127.0.0.1",
				"--sample.download.port=0", "--http.port=0", "--chat.port=0", "--chat.framed-port=0",
				"--sample.tls.echo-port=0", "--sample.tls.https-port=0", "--sample.tls.chat-port=0",
				"--sample.tls.mutual-port=0", "--chat.cluster=redis", "--chat.cluster.member-ttl=" + MEMBER_TTL.toMillis() + "ms",
				"--spring.data.redis.port=" + redisPort)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		this.processes.add(process);
		return process;
	}

	private Client login(int port, String name) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(20_000);
		this.sockets.add(socket);
		Client client = new Client(socket);
		assertThat(client.readLine()).startsWith("* Welcome to the chat!");
		client.send("NAME: " + name);
		assertThat(client.readLine()).startsWith("* Welcome, " + name + "!");
		return client;
	}

	private static boolean redisAnswers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			socket.setSoTimeout(1000);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			return "+PONG".equals(new BufferedReader(new InputStreamReader(socket.getInputStream(),
					StandardCharsets.US_ASCII)).readLine());
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static String awaitLog(Process process, Path log, String line) {
		String[] output = new String[1];
		// Two instances start at once; on a loaded two-core CI machine one alone took 52 s, two missed 90 s.
		await(Duration.ofSeconds(180), "'" + line + "' in " + log, () -> {
			try {
				output[0] = Files.readString(log);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			if (!process.isAlive() && !output[0].contains(line)) {
				throw new AssertionError("The sample app exited with " + process.exitValue() + ":\n" + output[0]);
			}
			return output[0].contains(line);
		});
		return output[0];
	}

	private static int group(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		assertThat(matcher.find()).as("%s in:%n%s", regex, text).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private JsonNode get(int port, String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return this.json.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
			}
			// Poll interval of a deadline wait, not a timing assumption.
			LockSupport.parkNanos(20_000_000);
		}
	}

	/** A line client, as {@code nc} would be. */
	private static final class Client {

		private final OutputStream out;

		private final BufferedReader in;

		Client(Socket socket) throws IOException {
			this.out = socket.getOutputStream();
			this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		}

		void send(String line) throws IOException {
			this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			this.out.flush();
		}

		String readLine() throws IOException {
			return this.in.readLine();
		}

		/** Reads until {@code expected}; returns the lines before it. */
		List<String> readUntil(String expected) throws IOException {
			List<String> seen = new ArrayList<>();
			for (String line = readLine(); !expected.equals(line); line = readLine()) {
				assertThat(line).as("connection open while waiting for '%s' after %s", expected, seen).isNotNull();
				seen.add(line);
			}
			return seen;
		}

	}

}
