package io.github.tcpserver.autoconfigure;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.github.tcpserver.actuate.ChatClusterEndpoint;
import io.github.tcpserver.actuate.ChatRoomHealthIndicator;
import io.github.tcpserver.actuate.ChatRoomMetricsBinder;
import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.context.RedisChatRoomLifecycle;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.chat.LocalChatRoom;
import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;
import io.github.tcpserver.test.RedisServer;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards of the Redis chat room's auto-configuration, against a real {@code redis-server}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatRedisAutoConfigurationTests {

	private static RedisServer redis;

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, ChatRedisAutoConfiguration.class,
					ChatRedisActuatorAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
					"spring.data.redis.timeout=500ms");
	}

	@BeforeAll
	static void startRedis() throws Exception {
		redis = RedisServer.startOnFreePort();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		redis.stop();
	}

	@Test
	void withChatClusterRedisTheChatRoomIsSharedThroughRedisWithItsSettingsBound() {
		runner().withPropertyValues("chat.cluster=redis", "chat.cluster.member-ttl=2s", "chat.cluster.key-prefix=rooms",
				"chat.max-pending-output=64KB", "management.endpoints.web.exposure.include=chat")
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(RedisChatRoom.class);
				assertThat(context.getBean(ChatClusterProperties.class).getMemberTtl()).isEqualTo(Duration.ofSeconds(2));
				RedisChatRoom room = context.getBean(RedisChatRoom.class);
				assertThat(room.state()).isEqualTo(RedisChatRoom.State.UP);
				assertThat(room.maxPendingOutput()).isEqualTo(64 * 1024);
				assertThat(room.toString()).contains("rooms");
				assertThat(context).hasSingleBean(ChatRoomHealthIndicator.class)
					.hasSingleBean(ChatRoomMetricsBinder.class)
					.hasSingleBean(ChatClusterEndpoint.class);
				assertThat(context.getBean(ChatClusterEndpoint.class).cluster().instances())
					.containsKey(room.instanceId());
			});
	}

	@Test
	void closingTheContextTellsTheOtherInstancesOfTheLeavesAndReleasesTheNamesBeforeRedisConnectionsStop()
			throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		LettuceConnectionFactory observer = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
		observer.afterPropertiesSet();
		observer.start();
		RedisConnection subscription = observer.getConnection();
		String[] instance = new String[1];
		try {
			subscription.subscribe((message, pattern) -> events.add(new String(message.getBody(), StandardCharsets.UTF_8)),
					"{chat}:room".getBytes(StandardCharsets.UTF_8));
			runner().withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class))
				.withUserConfiguration(ChatListenerConfiguration.class)
				.withPropertyValues("chat.cluster=redis", "tcp.server.port=0", "tcp.server.address=127.0.0.1",
						"tcp.server.io-threads=1")
				.run((context) -> {
					assertThat(context).hasNotFailed().hasSingleBean(RedisChatRoomLifecycle.class);
					instance[0] = context.getBean(RedisChatRoom.class).instanceId();
					Socket socket = TestSockets.connect(context.getBean(SelectorServer.class).port("chat"));
					socket.getOutputStream().write("NAME: alice\n".getBytes(StandardCharsets.US_ASCII));
					BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
							StandardCharsets.UTF_8));
					assertThat(in.readLine()).startsWith("* Welcome to the chat!");
					assertThat(in.readLine()).startsWith("* Welcome, alice!");
					// The context closes after this lambda; the client reads to the end meanwhile.
					CompletableFuture.runAsync(() -> {
						try (socket) {
							in.lines().forEach((line) -> { });
						}
						catch (Exception ex) {
							// the server closed it
						}
					});
				});
			TestSockets.await(Duration.ofSeconds(10), "alice's leave on the channel",
					() -> events.stream().anyMatch((event) -> event.endsWith("* alice left the room (server shutting down)")));
			StringRedisTemplate redisTemplate = new StringRedisTemplate(observer);
			assertThat(redisTemplate.hasKey("{chat}:name:alice")).as("alice's name released").isFalse();
			assertThat(redisTemplate.opsForZSet().score("{chat}:instances", instance[0])).as("instance deregistered")
				.isNull();
		}
		finally {
			subscription.close();
			observer.destroy();
		}
	}

	@Test
	void withoutChatClusterRedisThereIsNoRedisRoom() {
		runner().run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ChatRoom.class));
		runner().withPropertyValues("chat.cluster=none")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ChatRoom.class));
	}

	@Test
	void withoutSpringDataRedisOnTheClassPathTheAutoConfigurationBacksOff() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ChatRedisAutoConfiguration.class,
					ChatRedisActuatorAutoConfiguration.class))
			.withPropertyValues("chat.cluster=redis")
			.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ChatRoom.class));
	}

	@Test
	void aRoomOfTheApplicationWinsOverTheRedisRoom() {
		runner().withPropertyValues("chat.cluster=redis")
			.withBean("myRoom", ChatRoom.class, LocalChatRoom::new)
			.run((context) -> assertThat(context).getBeans(ChatRoom.class).containsOnlyKeys("myRoom"));
	}

	@Test
	void theHealthOfTheRoomIsDownWhileRedisIsUnreachableAndUpWhenItIsBack() throws Exception {
		RedisServer own = RedisServer.startOnFreePort();
		try {
			runner().withPropertyValues("chat.cluster=redis", "chat.cluster.member-ttl=900ms",
					"spring.data.redis.port=" + own.port())
				.run((context) -> {
					ChatRoomHealthIndicator health = context.getBean(ChatRoomHealthIndicator.class);
					assertThat(health.health().getStatus()).isEqualTo(Status.UP);
					own.stop();
					TestSockets.await(Duration.ofSeconds(20), "the room's health DOWN",
							() -> health.health().getStatus().equals(Status.DOWN));
					assertThat(health.health().getDetails()).containsKey("lastError").containsEntry("redisOutages", 1L);
					own.start();
					TestSockets.await(Duration.ofSeconds(30), "the room's health UP again",
							() -> health.health().getStatus().equals(Status.UP));
				});
		}
		finally {
			own.stop();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ChatListenerConfiguration {

		@Bean
		@SocketHandler
		FramingHandler<String> chat(ChatRoom chatRoom) {
			return new FramingHandler<>(new LineCodec(1024), new ChatProtocol(chatRoom));
		}

	}

}
