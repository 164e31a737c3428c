package io.github.tcpserver.sample.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The chat page in a real browser: Debian's headless Chromium, driven over the W3C WebDriver
 * protocol by {@code chromedriver} (both in {@code scripts/test.sh}'s packages), with the JDK's
 * HTTP client, so no npm or browser download is needed. Two pages and one {@code nc}-like line
 * client chat in one room and each sees the others' messages in order.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0", "sample.tls.chat-port=0",
		"sample.tls.mutual-port=0" })
@Timeout(value = 120)
class ChatPageBrowserTests {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Autowired
	SelectorServer server;

	@TempDir
	Path profiles;

	private Process driver;

	private URI driverUri;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeEach
	void startChromedriver() throws Exception {
		assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
				"Chromium and chromedriver are installed by scripts/test.sh (packages chromium, chromium-driver)");
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		this.driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
			.redirectErrorStream(true)
			.redirectOutput(this.profiles.resolve("chromedriver.log").toFile())
			.start();
		this.driverUri = URI.create("http://127.0.0.1:" + port);
		await("chromedriver ready", () -> {
			try {
				return call("GET", "/status", null).contains("\"ready\":true");
			}
			catch (IOException ex) {
				return false;
			}
		});
	}

	@AfterEach
	void stopChromedriver() {
		if (this.driver != null) {
			this.driver.destroy();
		}
	}

	@Test
	void twoBrowserPagesAndAnNcClientChatInOneRoom() throws Exception {
		String page = "http://127.0.0.1:" + this.server.port("http") + "/chat.html";
		Browser alice = new Browser("alice", page);
		Browser bob = new Browser("bob", page);
		try (Socket nc = new Socket("127.0.0.1", this.server.port("chat"))) {
			nc.setSoTimeout(20_000);
			BufferedReader ncIn = new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8));
			PrintWriter ncOut = new PrintWriter(nc.getOutputStream(), true, StandardCharsets.UTF_8);
			alice.logIn();
			bob.logIn();
			alice.awaitLog("* bob joined the room");
			ncOut.println("NAME: carol");
			alice.awaitLog("* carol joined the room");
			bob.awaitLog("* carol joined the room");
			alice.await("the members list", "#members", (members) -> members.contains("alice")
					&& members.contains("bob") && members.contains("carol"));
			// Chromium offers permessage-deflate and the sample accepts it: the pages' messages travel compressed.
			String compressed = "WebSocket /chat (TextFrameWebSocketHandler, permessage-deflate)";
			assertThat(this.server.connections().stream().map((connection) -> connection.protocol()))
				.filteredOn((protocol) -> protocol != null)
				.containsExactly(compressed, compressed);

			// Each speaks once the previous message reached everyone, so the order is defined.
			alice.say("one from alice");
			bob.awaitLog("alice: one from alice");
			bob.say("two from bob");
			alice.awaitLog("bob: two from bob");
			ncOut.println("three from carol");
			alice.awaitLog("carol: three from carol");
			bob.awaitLog("carol: three from carol");
			alice.say("/msg carol four, privately");
			assertInOrder(alice.log(), "you: one from alice", "bob: two from bob", "carol: three from carol");
			assertInOrder(bob.log(), "alice: one from alice", "you: two from bob", "carol: three from carol");
			String ncLines = readUntil(ncIn, "alice (private): four, privately");
			assertInOrder(ncLines, "alice: one from alice", "bob: two from bob", "alice (private): four, privately");
			assertThat(bob.log()).doesNotContain("four, privately");

			Files.createDirectories(Path.of("target"));
			Files.write(Path.of("target", "chat-page.png"), alice.screenshot());
			bob.quit();
			alice.awaitLog("* bob left the room");
			assertThat(readUntil(ncIn, "* bob left the room")).contains("* bob left the room");
		}
		finally {
			alice.quit();
			bob.quit();
		}
	}

	private static void assertInOrder(String text, String... parts) {
		int from = 0;
		for (String part : parts) {
			int at = text.indexOf(part, from);
			assertThat(at).as("'%s' after position %d in:%n%s", part, from, text).isGreaterThanOrEqualTo(0);
			from = at + part.length();
		}
	}

	private static String readUntil(BufferedReader in, String last) throws IOException {
		StringBuilder lines = new StringBuilder();
		String line;
		while ((line = in.readLine()) != null) {
			lines.append(line).append('\n');
			if (line.startsWith(last)) {
				break;
			}
		}
		return lines.toString();
	}

	private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
			Thread.sleep(50); // polling a condition with a deadline, not waiting a fixed time
		}
	}

	private String call(String method, String path, String json) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.driverUri.resolve(path)).timeout(Duration.ofSeconds(30));
		request.method(method, (json != null) ? BodyPublishers.ofString(json) : BodyPublishers.noBody());
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		try {
			return this.http.send(request.build(), BodyHandlers.ofString()).body();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	/** Possessive quantifiers: a screenshot is a string of a few hundred kilobytes, too deep for backtracking. */
	private static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]++|\\\\.)*+)\"").matcher(json);
		assertThat(matcher.find()).as("%s in %s", name, json).isTrue();
		return unescape(matcher.group(1));
	}

	private static String unescape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '\\') {
				out.append(c);
				continue;
			}
			char next = text.charAt(++i);
			switch (next) {
				case 'n' -> out.append('\n');
				case 't' -> out.append('\t');
				case 'r' -> out.append('\r');
				case 'u' -> {
					out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
					i += 4;
				}
				default -> out.append(next);
			}
		}
		return out.toString();
	}

	private static String json(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	/** One headless Chromium with the chat page open, as one member. */
	private final class Browser {

		private final String name;

		private String session;

		Browser(String name, String page) throws Exception {
			this.name = name;
			String profile = ChatPageBrowserTests.this.profiles.resolve(name).toString();
			// The flags a headless Chromium needs on a machine without a network or a sandbox.
			String created = call("POST", "/session", "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\","
					+ "\"goog:chromeOptions\":{\"binary\":" + json(CHROMIUM.toString()) + ",\"args\":[\"--headless\","
					+ "\"--no-sandbox\",\"--disable-gpu\",\"--disable-quic\",\"--no-first-run\","
					+ "\"--disable-background-networking\",\"--disable-component-update\",\"--disable-sync\","
					+ "\"--window-size=1000,700\",\"--user-data-dir=" + profile + "\"]}}}}");
			this.session = field(created, "sessionId");
			call("POST", path("/url"), "{\"url\":" + json(page) + "}");
			await("the WebSocket of " + name + " open", "#status", (status) -> status.equals("connected"));
		}

		void logIn() throws Exception {
			type("#name", this.name + "\uE007"); // Enter submits the form
			awaitLog("* Welcome, " + this.name + "!");
		}

		void say(String text) throws Exception {
			type("#text", text + "\uE007");
		}

		String log() throws IOException {
			return text("#log");
		}

		void awaitLog(String line) throws InterruptedException {
			await(line + " on " + this.name + "'s page", "#log", (log) -> log.contains(line));
		}

		void await(String what, String selector, Predicate<String> condition) throws InterruptedException {
			ChatPageBrowserTests.await(what, () -> {
				try {
					return condition.test(text(selector));
				}
				catch (IOException ex) {
					return false;
				}
			});
		}

		byte[] screenshot() throws IOException {
			return Base64.getDecoder().decode(field(call("GET", path("/screenshot"), null), "value"));
		}

		void quit() throws IOException {
			if (this.session != null) {
				call("DELETE", path(""), null);
				this.session = null;
			}
		}

		private void type(String selector, String keys) throws IOException {
			call("POST", path("/element/" + element(selector) + "/value"), "{\"text\":" + json(keys) + "}");
		}

		private String text(String selector) throws IOException {
			return field(call("GET", path("/element/" + element(selector) + "/text"), null), "value");
		}

		private String element(String selector) throws IOException {
			String found = call("POST", path("/element"), "{\"using\":\"css selector\",\"value\":" + json(selector) + "}");
			return field(found, "element-6066-11e4-a52e-4f735466cecf");
		}

		private String path(String rest) {
			return "/session/" + this.session + rest;
		}

	}

}
