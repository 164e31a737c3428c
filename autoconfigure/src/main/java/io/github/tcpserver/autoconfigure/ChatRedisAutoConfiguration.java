package io.github.tcpserver.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.unit.DataSize;

import io.github.tcpserver.context.RedisChatRoomLifecycle;
import io.github.tcpserver.protocol.chat.ChatMessageFilter;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * Auto-configuration of the chat room shared through Redis: with {@code chat.cluster=redis}, Spring
 * Data Redis on the class path and Boot's {@link RedisConnectionFactory}, the {@link ChatRoom} bean is
 * a {@link RedisChatRoom}. It backs off when the application declares its own room.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnProperty(name = "chat.cluster", havingValue = "redis")
@EnableConfigurationProperties(ChatClusterProperties.class)
public final class ChatRedisAutoConfiguration {

	/**
	 * The room; {@link RedisChatRoomLifecycle} connects it before any listener serves and closes it
	 * after the server's graceful stop (the destroy method is the fallback when the context never
	 * started).
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean(ChatRoom.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	RedisChatRoom chatRoom(RedisConnectionFactory redisConnectionFactory, ChatClusterProperties properties,
			ObjectProvider<ChatMessageFilter> filter, Environment environment) {
		// chat.max-pending-output is the rule of every room (the application's chat properties).
		long maxPendingOutput = Binder.get(environment)
			.bind("chat.max-pending-output", DataSize.class)
			.map(DataSize::toBytes)
			.orElse(ChatRoom.DEFAULT_MAX_PENDING_OUTPUT);
		return new RedisChatRoom(redisConnectionFactory, filter.getIfAvailable(() -> ChatMessageFilter.ACCEPT_ALL),
				maxPendingOutput, new RedisChatRoom.Settings(properties.getKeyPrefix(), properties.getMemberTtl(),
						properties.getMaxQueuedEvents(), properties.getStopTimeout()));
	}

	@Bean
	@ConditionalOnBean(RedisChatRoom.class)
	@ConditionalOnMissingBean
	RedisChatRoomLifecycle redisChatRoomLifecycle(RedisChatRoom chatRoom) {
		return new RedisChatRoomLifecycle(chatRoom);
	}

}
