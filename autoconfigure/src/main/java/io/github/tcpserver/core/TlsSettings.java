package io.github.tcpserver.core;

import java.time.Duration;
import java.util.Objects;

/**
 * TLS on one listener: where its engines come from, how long a handshake may take, and how
 * logs and the Actuator endpoint name it.
 *
 * @param engines makes each connection's engine (in a Spring application: from an SSL bundle)
 * @param handshakeTimeout a connection whose handshake has not completed within this time is
 * closed, logged and counted; zero switches the timeout off
 * @param description what the listener's TLS is, for people (the bundle's name, say)
 */
public record TlsSettings(TlsEngineFactory engines, Duration handshakeTimeout, String description) {

	/** Default handshake timeout, Netty's. */
	public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

	public TlsSettings {
		Objects.requireNonNull(engines, "engines");
		Objects.requireNonNull(description, "description");
		if (handshakeTimeout == null || handshakeTimeout.isNegative()) {
			throw new IllegalArgumentException("handshakeTimeout must be zero or positive but was " + handshakeTimeout);
		}
	}

}
