package io.github.tcpserver.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

import io.github.tcpserver.context.ChatRoomLifecycle;
import io.github.tcpserver.context.SelectorServerLifecycle;
import io.github.tcpserver.core.CloseReason;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionObserver;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.chat.ChatRoom;

/**
 * Auto-configuration of the embedded TCP server: a {@link SelectorServer} with one listener per
 * {@code @SocketHandler} bean (told of connections by every {@link ConnectionObserver} bean),
 * and the lifecycle that starts and stops it with the context.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TcpServerProperties.class)
public final class TcpServerAutoConfiguration {

	/** Spring Boot's default for spring.lifecycle.timeout-per-shutdown-phase. */
	private static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Left of the shutdown phase for closing what did not drain, so that the server reports its
	 * result before Spring's lifecycle processor gives up on the phase.
	 */
	private static final Duration CLOSE_MARGIN = Duration.ofMillis(500);

	@Bean
	@ConditionalOnMissingBean
	SelectorServer selectorServer(TcpServerProperties properties, ListableBeanFactory beanFactory,
			Environment environment, ObjectProvider<ConnectionObserver> connectionObservers,
			ObjectProvider<SslBundles> sslBundles) {
		List<ListenerSpec> listeners = SocketHandlerListeners.resolve(beanFactory, environment, properties,
				sslBundles.getIfAvailable());
		return new SelectorServer(serverConfig(properties, drainTimeout(properties, environment)), listeners,
				combine(connectionObservers.orderedStream().toList()));
	}

	/** @return {@code null} for none, so that a server nobody observes skips the calls entirely */
	private static ConnectionObserver combine(List<ConnectionObserver> observers) {
		if (observers.isEmpty()) {
			return null;
		}
		if (observers.size() == 1) {
			return observers.get(0);
		}
		return new ConnectionObserver() {

			@Override
			public void connectionOpened(Connection connection) {
				observers.forEach((observer) -> observer.connectionOpened(connection));
			}

			@Override
			public void connectionClosed(Connection connection, CloseReason reason) {
				observers.forEach((observer) -> observer.connectionClosed(connection, reason));
			}

		};
	}

	@Bean
	@ConditionalOnMissingBean
	SelectorServerLifecycle selectorServerLifecycle(SelectorServer selectorServer, ApplicationEventPublisher publisher,
			Environment environment, TcpServerProperties properties) {
		ConfigurableEnvironment configurable = (environment instanceof ConfigurableEnvironment c) ? c : null;
		return new SelectorServerLifecycle(selectorServer, publisher, configurable,
				drainTimeout(properties, environment));
	}

	@Bean
	@ConditionalOnMissingBean
	ChatRoomLifecycle chatRoomLifecycle(ObjectProvider<ChatRoom> chatRooms) {
		return new ChatRoomLifecycle(chatRooms);
	}

	static ServerConfig serverConfig(TcpServerProperties properties, Duration shutdownTimeout) {
		ServerConfig.Builder builder = ServerConfig.builder()
			.ioThreads(properties.getIoThreads())
			.backlog(properties.getBacklog())
			.readBufferSize((int) properties.getReadBufferSize().toBytes())
			.maxConnections(properties.getMaxConnections())
			.tcpNoDelay(properties.isTcpNoDelay())
			.keepAlive(properties.isSoKeepalive())
			.reuseAddress(properties.isReuseAddress())
			.writeWaterMarks((int) properties.getWriteBufferLowWaterMark().toBytes(),
					(int) properties.getWriteBufferHighWaterMark().toBytes())
			.maxQueuedOutput(properties.getMaxQueuedOutput().toBytes())
			.maxReadsPerEvent(properties.getMaxReadsPerEvent())
			.lingerTimeout(properties.getLingerTimeout())
			.blockedLoopWarning(properties.getBlockedThreadWarning())
			.shutdownTimeout(shutdownTimeout);
		if (properties.getReadIdleTimeout() != null) {
			builder.readIdleTimeout(properties.getReadIdleTimeout());
		}
		if (properties.getWriteIdleTimeout() != null) {
			builder.writeIdleTimeout(properties.getWriteIdleTimeout());
		}
		if (properties.getReceiveBufferSize() != null) {
			builder.receiveBufferSize((int) properties.getReceiveBufferSize().toBytes());
		}
		if (properties.getSendBufferSize() != null) {
			builder.sendBufferSize((int) properties.getSendBufferSize().toBytes());
		}
		try {
			return builder.build();
		}
		catch (IllegalArgumentException ex) {
			throw new SocketHandlerConfigurationException("Invalid tcp.server configuration: " + ex.getMessage(),
					"Fix the tcp.server.* properties named above.");
		}
	}

	private static Duration drainTimeout(TcpServerProperties properties, Environment environment) {
		if (properties.getShutdown() == TcpServerProperties.Shutdown.IMMEDIATE) {
			return Duration.ZERO;
		}
		Duration phase = Binder.get(environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(DEFAULT_PHASE_TIMEOUT);
		Duration drain = phase.minus(CLOSE_MARGIN);
		return drain.isNegative() || drain.isZero() ? phase : drain;
	}

}
