package io.github.tcpserver.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import io.github.tcpserver.actuate.ChatClusterEndpoint;
import io.github.tcpserver.actuate.ChatRoomHealthIndicator;
import io.github.tcpserver.actuate.ChatRoomMetricsBinder;
import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * The Actuator side of the chat room shared through Redis, each part under its own guard: the
 * {@code chatRoom} health indicator, the {@code chat.cluster.*} meters and the {@code chat} endpoint.
 */
@AutoConfiguration(after = ChatRedisAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" },
		beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnBean(RedisChatRoom.class)
public final class ChatRedisActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("chatroom")
	static class HealthConfiguration {

		/** Named so that the contributor is {@code chatRoom}. */
		@Bean
		@ConditionalOnMissingBean(name = "chatRoomHealthIndicator")
		ChatRoomHealthIndicator chatRoomHealthIndicator(RedisChatRoom chatRoom) {
			return new ChatRoomHealthIndicator(chatRoom);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ChatRoomMetricsBinder chatRoomMetricsBinder(RedisChatRoom chatRoom) {
			return new ChatRoomMetricsBinder(chatRoom);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint
		ChatClusterEndpoint chatClusterEndpoint(RedisChatRoom chatRoom) {
			return new ChatClusterEndpoint(chatRoom);
		}

	}

}
