package io.github.tcpserver.protocol.chat.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.protocol.chat.redis.ChatCluster.Instance;
import io.github.tcpserver.protocol.chat.redis.ChatCluster.LineClient;
import io.github.tcpserver.test.RedisServer;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The room shared through a real {@code redis-server}: several instances, each with its own Redis
 * connections, room and server, and real line clients on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisChatRoomTests {

	private RedisServer redis;

	private ChatCluster cluster;

	@BeforeEach
	void startRedis() throws Exception {
		this.redis = RedisServer.startOnFreePort();
		this.cluster = new ChatCluster(this.redis.port(), Duration.ofMillis(1500));
	}

	@AfterEach
	void stopEverything() throws Exception {
		try {
			this.cluster.close();
		}
		finally {
			this.redis.stop();
		}
	}

	@Test
	void tenThousandMessagesFromMembersOnThreeInstancesReachEveryMemberInOneGlobalOrder() throws Exception {
		List<Instance> instances = List.of(this.cluster.start(), this.cluster.start(), this.cluster.start());
		int members = 5;
		int perMember = 2_000;
		List<LineClient> clients = new ArrayList<>();
		for (int m = 0; m < members; m++) {
			clients.add(this.cluster.login(instances.get(m * instances.size() / members), "m" + m));
		}
		TestSockets.await(Duration.ofSeconds(10), "every instance seeing every member",
				() -> instances.stream().allMatch((instance) -> instance.room.size() == members));
		ExecutorService executor = Executors.newFixedThreadPool(2 * members);
		try {
			List<CompletableFuture<List<String>>> received = new ArrayList<>();
			for (LineClient client : clients) {
				received.add(CompletableFuture.supplyAsync(() -> readMessages(client, (members - 1) * perMember), executor));
			}
			List<CompletableFuture<Void>> sent = new ArrayList<>();
			for (int m = 0; m < members; m++) {
				LineClient client = clients.get(m);
				String sender = "m" + m;
				sent.add(CompletableFuture.runAsync(() -> {
					StringBuilder lines = new StringBuilder();
					for (int i = 0; i < perMember; i++) {
						lines.append(sender).append('-').append(i).append('\n');
						if (i % 100 == 99) {
							write(client, lines.toString());
							lines.setLength(0);
						}
					}
					write(client, lines.toString());
				}, executor));
			}
			CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
			List<List<String>> views = new ArrayList<>();
			for (CompletableFuture<List<String>> view : received) {
				views.add(view.get(60, TimeUnit.SECONDS));
			}
			for (int r = 0; r < members; r++) {
				List<String> view = views.get(r);
				int[] next = new int[members];
				for (String message : view) {
					// "mS: mS-I": each sender's messages arrive in the order sent, none lost, none twice.
					int sender = Integer.parseInt(message.substring(1, message.indexOf(':')));
					assertThat(sender).as("m%d received no message of its own", r).isNotEqualTo(r);
					assertThat(message).isEqualTo("m" + sender + ": m" + sender + "-" + next[sender]++);
				}
			}
			// One global order: any two members saw the messages neither of them sent in the same order.
			for (int a = 0; a < members; a++) {
				for (int b = a + 1; b < members; b++) {
					assertThat(without(views.get(a), b)).as("the order of m%d and of m%d", a, b)
						.isEqualTo(without(views.get(b), a));
				}
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static List<String> readMessages(LineClient client, int count) {
		List<String> messages = new ArrayList<>(count);
		try {
			while (messages.size() < count) {
				String line = client.readLine();
				assertThat(line).as("connection open after %d messages", messages.size()).isNotNull();
				if (!line.startsWith("* ")) {
					messages.add(line);
				}
			}
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return messages;
	}

	private static void write(LineClient client, String lines) {
		try {
			client.out.write(lines.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			client.out.flush();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static List<String> without(List<String> messages, int sender) {
		String prefix = "m" + sender + ":";
		return messages.stream().filter((message) -> !message.startsWith(prefix)).toList();
	}

	@Test
	void namesAreUniqueAcrossInstancesAndWhoMsgJoinsRenamesAndLeavesSpanThemAll() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		LineClient bob = this.cluster.login(two, "bob");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");

		LineClient impostor = this.cluster.connect(one);
		impostor.send("NAME: BOB");
		assertThat(impostor.readLine()).as("bob is on the other instance").isEqualTo("! The name 'BOB' is taken; choose another");
		impostor.send("NAME: Alice");
		assertThat(impostor.readLine()).isEqualTo("! The name 'Alice' is taken; choose another");
		impostor.send("/nick carol");
		assertThat(impostor.readLine()).startsWith("* Welcome, carol!");
		assertThat(alice.readLine()).isEqualTo("* carol joined the room");
		assertThat(bob.readLine()).isEqualTo("* carol joined the room");

		bob.send("/who");
		assertThat(bob.readLine()).isEqualTo("* In the room (3): alice, bob, carol");
		alice.send("/msg BOB hello from one");
		assertThat(bob.readLine()).isEqualTo("alice (private): hello from one");
		bob.send("/msg carol hi carol");
		assertThat(impostor.readLine()).isEqualTo("bob (private): hi carol");
		alice.send("/msg dave hello?");
		assertThat(alice.readLine()).startsWith("! No one else here is called 'dave'");

		bob.send("/nick robert");
		assertThat(bob.readLine()).isEqualTo("* You are now robert");
		assertThat(alice.readLine()).isEqualTo("* bob is now known as robert");
		assertThat(impostor.readLine()).isEqualTo("* bob is now known as robert");
		impostor.send("/nick bob");
		assertThat(impostor.readLine()).as("the old name is free again everywhere").isEqualTo("* You are now bob");
		assertThat(alice.readLine()).isEqualTo("* carol is now known as bob");
		assertThat(bob.readLine()).isEqualTo("* carol is now known as bob");

		bob.send("/quit");
		assertThat(bob.readLine()).isEqualTo("* Bye, robert!");
		assertThat(alice.readLine()).isEqualTo("* robert left the room");
		assertThat(impostor.readLine()).isEqualTo("* robert left the room");
		TestSockets.await(Duration.ofSeconds(10), "robert gone from the view of instance one",
				() -> one.room.memberNames().equals(java.util.List.of("alice", "bob")));
		alice.send("/who");
		assertThat(alice.readLine()).isEqualTo("* In the room (2): alice, bob");
	}

}
