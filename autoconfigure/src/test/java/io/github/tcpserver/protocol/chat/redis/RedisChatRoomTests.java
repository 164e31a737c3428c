package io.github.tcpserver.protocol.chat.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

import io.github.tcpserver.core.ServerConfig;
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

	/** Short for the tests, yet four heartbeats of 750 ms, so that a busy build machine's pauses are no death. */
	private static final Duration MEMBER_TTL = Duration.ofSeconds(3);

	private RedisServer redis;

	private Process otherProcess;

	private ChatCluster cluster;

	@BeforeEach
	void startRedis() throws Exception {
		this.redis = RedisServer.startOnFreePort();
		this.cluster = new ChatCluster(this.redis.port(), MEMBER_TTL);
	}

	@AfterEach
	void stopEverything() throws Exception {
		try {
			if (this.otherProcess != null) {
				this.otherProcess.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
			}
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
		// Alice's join notice travels through Redis while bob logs in: bob may see it after his welcome.
		assertThat(bob.readUntil("* carol joined the room")).isSubsetOf("* alice joined the room");

		bob.send("/who");
		assertThat(bob.readLine()).isEqualTo("* In the room (3): alice, bob, carol");
		alice.send("/msg BOB hello from one");
		assertThat(bob.readLine()).isEqualTo("alice (private): hello from one");
		bob.send("/msg carol hi carol");
		assertThat(impostor.readLine()).isEqualTo("bob (private): hi carol");
		alice.send("/msg dave hello?");
		assertThat(alice.readLine()).startsWith("! No one else here is called 'dave'");
		two.room.announce("maintenance at\nnoon");
		assertThat(alice.readLine()).as("an announcement reaches every instance").isEqualTo("* maintenance at noon");
		assertThat(bob.readLine()).isEqualTo("* maintenance at noon");
		assertThat(impostor.readLine()).isEqualTo("* maintenance at noon");

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

	@Test
	void whileRedisIsDownLoginsAndMessagesAreRefusedMembersStayAndAreToldWhenItIsBack() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		LineClient bob = this.cluster.login(two, "bob");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");

		this.redis.stop();
		alice.readUntil("* The chat lost its connection to its other servers: messages cannot be sent until it is back");
		bob.readUntil("* The chat lost its connection to its other servers: messages cannot be sent until it is back");
		assertThat(one.room.state()).isEqualTo(RedisChatRoom.State.DOWN);
		assertThat(one.room.redisOutages()).isEqualTo(1);
		alice.send("anyone there?");
		assertThat(alice.readLine())
			.isEqualTo("! The chat is unavailable: its server lost the connection to Redis; message not sent");
		LineClient carol = this.cluster.connect(one);
		carol.send("NAME: carol");
		assertThat(carol.readLine())
			.isEqualTo("! The chat is unavailable: its server lost the connection to Redis; try again later");
		alice.send("/who");
		assertThat(alice.readLine()).as("still connected, with the last known room").startsWith("* In the room (2)");

		this.redis.start();
		alice.readUntil("* The chat is connected again; messages sent while it was not may have been lost");
		bob.readUntil("* The chat is connected again; messages sent while it was not may have been lost");
		assertThat(one.room.state()).isEqualTo(RedisChatRoom.State.UP);
		alice.send("back again");
		assertThat(bob.readUntilStart("alice: ")).isEqualTo("alice: back again");
		bob.send("hi alice");
		assertThat(alice.readUntilStart("bob: ")).isEqualTo("bob: hi alice");
		carol.send("NAME: Alice");
		assertThat(carol.readLine()).as("the names were claimed again in the new Redis")
			.isEqualTo("! The name 'Alice' is taken; choose another");
		carol.send("NAME: carol");
		assertThat(carol.readLine()).startsWith("* Welcome, carol!");
		assertThat(bob.readUntilStart("* carol")).isEqualTo("* carol joined the room");
		TestSockets.await(Duration.ofSeconds(10), "both instances listing the three members",
				() -> one.room.size() == 3 && two.room.size() == 3);
	}

	@Test
	void whenRedisForgetsTheRoomTheInstancesClaimTheirNamesAgainAndAnnounceTheirMembers() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		LineClient bob = this.cluster.login(two, "bob");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");
		alice.send("sync");
		// Bob may read alice's join after his welcome: this reads past it, so the join read below is the new one.
		bob.readUntil("alice: sync");
		new org.springframework.data.redis.core.StringRedisTemplate(one.connectionFactory)
			.execute((org.springframework.data.redis.core.RedisCallback<Void>) (connection) -> {
				connection.serverCommands().flushAll();
				return null;
			});
		// As after a Redis restart without persistence, or a survivor taking a paused instance for dead.
		alice.readUntil("* The chat is connected again; messages sent while it was not may have been lost");
		assertThat(alice.readUntilStart("* bob")).isEqualTo("* bob joined the room");
		assertThat(bob.readUntilStart("* alice")).isEqualTo("* alice joined the room");
		LineClient impostor = this.cluster.connect(two);
		impostor.send("NAME: ALICE");
		assertThat(impostor.readLine()).isEqualTo("! The name 'ALICE' is taken; choose another");
		TestSockets.await(Duration.ofSeconds(10), "both instances listing both members",
				() -> one.room.size() == 2 && two.room.size() == 2);
	}

	@Test
	void linesSentWithTheLoginWaitForRedisAndAreAnsweredAfterTheWelcomeInOrder() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(two, "alice");
		LineClient bob = this.cluster.connect(one);
		bob.send("NAME: bob\nfirst\n/who\n/nick robert\nsecond");
		assertThat(bob.readLine()).startsWith("* Welcome, bob!");
		assertThat(bob.readUntilStart("* In the room")).isEqualTo("* In the room (2): alice, bob");
		assertThat(bob.readUntilStart("* You are")).isEqualTo("* You are now robert");
		assertThat(alice.readUntil("* bob joined the room")).isEmpty();
		assertThat(alice.readLine()).isEqualTo("bob: first");
		assertThat(alice.readLine()).isEqualTo("* bob is now known as robert");
		assertThat(alice.readLine()).isEqualTo("robert: second");
	}

	@Test
	void whenTheSubscriptionIsCutTheMembersAreToldMessagesMayHaveBeenLostAndTheRoomGoesOn() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		LineClient bob = this.cluster.login(two, "bob");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");
		assertThat(this.redis.command("CLIENT KILL TYPE pubsub")).as("both subscriptions cut").isEqualTo(":2");
		alice.readUntil("* The chat's connection was interrupted; messages sent meanwhile may have been lost");
		bob.readUntil("* The chat's connection was interrupted; messages sent meanwhile may have been lost");
		assertThat(one.room.resubscriptions()).isEqualTo(1);
		assertThat(one.room.state()).isEqualTo(RedisChatRoom.State.UP);
		alice.send("still here");
		assertThat(bob.readUntilStart("alice: ")).isEqualTo("alice: still here");
	}

	@Test
	void aGracefulStopReleasesItsNamesAndTellsTheOtherInstancesOfTheLeaves() throws Exception {
		Instance one = this.cluster.start();
		Instance two = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		LineClient bob = this.cluster.login(two, "bob");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");

		CompletableFuture<Void> stopping = CompletableFuture.runAsync(one::stopGracefully);
		assertThat(alice.readLine()).isEqualTo("* The server is shutting down. Bye!");
		assertThat(alice.readLine()).isNull();
		alice.socket.close();
		assertThat(bob.readUntil("* alice left the room (server shutting down)")).isSubsetOf("* alice joined the room");
		stopping.get(10, TimeUnit.SECONDS);
		LineClient newAlice = this.cluster.login(two, "ALICE");
		assertThat(bob.readLine()).isEqualTo("* ALICE joined the room");
		newAlice.send("/who");
		assertThat(newAlice.readLine()).isEqualTo("* In the room (2): ALICE, bob");
		TestSockets.await(Duration.ofSeconds(10), "the stopped instance gone from the survivor's view",
				() -> !two.room.membersByInstance().containsKey(one.room.instanceId()));
	}

	@Test
	void theMembersOfAKilledInstanceAreAnnouncedAsLeftAndTheirNamesFreedWithinTheMemberTtl() throws Exception {
		Instance one = this.cluster.start();
		LineClient alice = this.cluster.login(one, "alice");
		String java = ProcessHandle.current().info().command().orElse("java");
		String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		ProcessBuilder builder = new ProcessBuilder(java, "-cp", classPath, ChatInstanceMain.class.getName(),
				Integer.toString(this.redis.port()), Long.toString(MEMBER_TTL.toMillis()));
		builder.redirectErrorStream(true);
		this.otherProcess = builder.start();
		BufferedReader output = new BufferedReader(
				new InputStreamReader(this.otherProcess.getInputStream(), StandardCharsets.UTF_8));
		String portLine;
		do {
			portLine = output.readLine();
			assertThat(portLine).as("the other instance started").isNotNull();
		}
		while (!portLine.startsWith("PORT "));
		int otherPort = Integer.parseInt(portLine.substring(5));
		CompletableFuture.runAsync(() -> output.lines().forEach((line) -> { }));
		LineClient bob = loginOnPort(otherPort, "bob");
		LineClient dave = loginOnPort(otherPort, "dave");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");
		assertThat(alice.readLine()).isEqualTo("* dave joined the room");
		bob.send("/who");
		assertThat(bob.readUntilStart("* In the room")).isEqualTo("* In the room (3): alice, bob, dave");

		long killed = System.nanoTime();
		this.otherProcess.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
		List<String> leaves = List.of(alice.readLine(), alice.readLine());
		Duration announcedAfter = Duration.ofNanos(System.nanoTime() - killed);
		assertThat(leaves).containsExactlyInAnyOrder("* bob left the room (its server stopped responding)",
				"* dave left the room (its server stopped responding)");
		// Within the member TTL (from the last heartbeat, before the kill), plus scheduling slack on a busy build machine.
		assertThat(announcedAfter).isLessThan(MEMBER_TTL.plusSeconds(2));
		LineClient newBob = this.cluster.login(one, "Bob");
		assertThat(alice.readLine()).isEqualTo("* Bob joined the room");
		newBob.send("/who");
		assertThat(newBob.readLine()).isEqualTo("* In the room (2): alice, Bob");
		assertThat(one.room.reapedInstances()).isEqualTo(1);
	}

	@Test
	void aMemberThatStopsReadingIsDisconnectedWhileTheOthersOfItsInstanceReceiveEverything() throws Exception {
		Instance one = this.cluster.start(64 * 1024, ServerConfig.builder().ioThreads(2).sendBufferSize(8 * 1024).build());
		Instance two = this.cluster.start();
		Socket stalled = new Socket();
		stalled.setReceiveBufferSize(4 * 1024);
		stalled.connect(new InetSocketAddress("127.0.0.1", one.port()), 5000);
		stalled.getOutputStream().write("NAME: sleepy\n".getBytes(StandardCharsets.US_ASCII));
		TestSockets.await(Duration.ofSeconds(10), "sleepy logged in", () -> two.room.size() == 1);
		LineClient bob = this.cluster.login(one, "bob");
		LineClient alice = this.cluster.login(two, "alice");
		bob.readUntil("* alice joined the room");
		String padding = "-".repeat(60);
		boolean sleepyLeft = false;
		int batches = 50;
		int batch = 100;
		for (int b = 0; b < batches; b++) {
			StringBuilder lines = new StringBuilder();
			for (int i = 0; i < batch; i++) {
				lines.append("message ").append(b * batch + i).append(' ').append(padding).append('\n');
			}
			write(alice, lines.toString());
			for (int i = 0; i < batch;) {
				String line = bob.readLine();
				assertThat(line).as("bob is still connected").isNotNull();
				if (line.startsWith("* sleepy left the room (not reading: ")) {
					sleepyLeft = true;
				}
				else {
					assertThat(line).isEqualTo("alice: message " + (b * batch + i) + " " + padding);
					i++;
				}
			}
		}
		if (!sleepyLeft) {
			assertThat(bob.readLine()).startsWith("* sleepy left the room (not reading: ");
		}
		assertThat(alice.readUntilStart("* sleepy left")).startsWith("* sleepy left the room (not reading: ");
		assertThat(one.room.slowMemberDisconnects()).isEqualTo(1);
		assertThat(two.room.memberNames()).containsExactly("alice", "bob");
		stalled.close();
	}

	private LineClient loginOnPort(int port, String name) throws Exception {
		Socket socket = TestSockets.connect(port);
		socket.setSoTimeout(15_000);
		LineClient client = new LineClient(socket);
		assertThat(client.readLine()).startsWith("* Welcome to the chat!");
		client.send("NAME: " + name);
		assertThat(client.readLine()).startsWith("* Welcome, " + name + "!");
		return client;
	}

}
