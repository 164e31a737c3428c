package io.github.tcpserver.sample.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in a real browser: Debian's headless Chromium driven by Playwright
 * ({@code chat-page.mjs} in the Node test package, {@code playwright-core} from npm, no browser
 * download). Two pages and one {@code nc}-like line client chat in one room and each sees the
 * others' messages in order, the joins and leaves, the member list and a private message.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0", "sample.tls.chat-port=0",
		"sample.tls.mutual-port=0" })
@Timeout(value = 180)
class ChatPageBrowserTests {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	/** The Node test package of the autoconfigure module; {@code .ci/run} installs it with {@code npm ci}. */
	private static final Path NODE_PACKAGE = Path.of("../autoconfigure/src/test/node").toAbsolutePath().normalize();

	@Autowired
	SelectorServer server;

	@Test
	void twoBrowserPagesAndAnNcClientChatInOneRoom() throws Exception {
		// Missing tools fail the build rather than skip the test: CI must show the page works.
		assertThat(CHROMIUM).as("Chromium (Debian package chromium, installed by .ci/run)").isExecutable();
		assertThat(NODE_PACKAGE.resolve("node_modules/playwright-core"))
			.as("playwright-core (npm ci in autoconfigure/src/test/node, run by .ci/run)")
			.isDirectory();
		Path screenshot = Files.createDirectories(Path.of("target")).resolve("chat-page.png").toAbsolutePath();
		Files.deleteIfExists(screenshot);
		String page = "http://127.0.0.1:" + this.server.port("http") + "/chat.html";

		List<String> lines = runPlaywright(page, screenshot);

		// Chromium offers permessage-deflate and the sample accepts it.
		String deflate = "[extensions] permessage-deflate; server_no_context_takeover";
		assertThat(lines).contains("alice> " + deflate, "bob> " + deflate);
		assertInOrder(view(lines, "alice"), "* Welcome, alice!", "* bob joined the room", "* carol joined the room",
				"you: one from alice", "bob: two from bob", "carol: three from carol", "you -> carol four, privately",
				"* bob left the room", "* carol left the room");
		assertInOrder(view(lines, "bob"), "* Welcome, bob!", "* carol joined the room", "alice: one from alice",
				"you: two from bob", "carol: three from carol", "carol (private): five, privately");
		assertInOrder(view(lines, "carol"), "* Welcome, carol!", "alice: one from alice", "bob: two from bob",
				"alice (private): four, privately", "* bob left the room", "* Bye, carol!");
		// Private messages reach only their addressee.
		assertThat(view(lines, "bob")).noneMatch((line) -> line.contains("four, privately"));
		assertThat(view(lines, "alice")).noneMatch((line) -> line.contains("five, privately"));
		assertThat(lines).contains("alice> [members] alice");
		assertThat(screenshot).isNotEmptyFile();
	}

	private List<String> runPlaywright(String page, Path screenshot) throws IOException, InterruptedException {
		Path output = Files.createTempFile("chat-page", ".log");
		try {
			Process node = new ProcessBuilder("node", "chat-page.mjs", page, String.valueOf(this.server.port("chat")),
					screenshot.toString(), CHROMIUM.toString())
				.directory(NODE_PACKAGE.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			boolean exited = node.waitFor(150, TimeUnit.SECONDS);
			if (!exited) {
				node.destroyForcibly();
			}
			List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
			assertThat(exited && node.exitValue() == 0).as("node chat-page.mjs finished successfully:%n%s",
					String.join("\n", lines)).isTrue();
			return lines;
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	/** Each line starts with the next prefix, in this order (other lines may come between). */
	private static void assertInOrder(List<String> lines, String... prefixes) {
		int from = 0;
		for (String prefix : prefixes) {
			int at = from;
			while (at < lines.size() && !lines.get(at).startsWith(prefix)) {
				at++;
			}
			assertThat(at).as("a line starting '%s' after line %d of:%n%s", prefix, from, String.join("\n", lines))
				.isLessThan(lines.size());
			from = at + 1;
		}
	}

	/** One member's lines, in the order they appeared. */
	private static List<String> view(List<String> lines, String member) {
		String prefix = member + "> ";
		return lines.stream().filter((line) -> line.startsWith(prefix)).map((line) -> line.substring(prefix.length()))
			.toList();
	}

}
