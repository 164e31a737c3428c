package io.github.tcpserver.protocol.chat.redis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.chat.ChatRoom;

/**
 * One instance of the shared room in a process of its own, for the tests that kill it with
 * SIGKILL: {@code ChatInstanceMain <redis port> <member ttl ms>} prints {@code PORT <chat port>}
 * once it serves, then runs until killed.
 */
final class ChatInstanceMain {

	private ChatInstanceMain() {
	}

	public static void main(String[] args) throws Exception {
		ChatCluster cluster = new ChatCluster(Integer.parseInt(args[0]), Duration.ofMillis(Long.parseLong(args[1])));
		ChatCluster.Instance instance = cluster.start(ChatRoom.DEFAULT_MAX_PENDING_OUTPUT,
				ServerConfig.builder().ioThreads(1).build());
		System.out.println("PORT " + instance.port());
		System.out.flush();
		new CountDownLatch(1).await();
	}

}
