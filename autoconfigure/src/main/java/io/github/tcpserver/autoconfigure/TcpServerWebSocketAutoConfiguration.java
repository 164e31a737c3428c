package io.github.tcpserver.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.protocol.websocket.WebSocketLimits;

/**
 * Auto-configuration of WebSocket: the {@link WebSocketLimits} bean, bound from
 * {@code tcp.server.websocket.*}, that an application passes to its {@code WebSocketUpgradeHandler}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TcpServerWebSocketProperties.class)
public final class TcpServerWebSocketAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WebSocketLimits webSocketLimits(TcpServerWebSocketProperties properties) {
		return properties.toLimits();
	}

}
