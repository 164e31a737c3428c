package io.github.tcpserver.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * TLS on one listener: where its engines come from, how long a handshake may take, and how
 * logs and the Actuator endpoint name it.
 *
 * @param engines makes each connection's engine (in a Spring application: from an SSL bundle)
 * @param handshakeTimeout a connection whose handshake has not completed within this time is
 * closed, logged and counted; zero switches the timeout off
 * @param description what the listener's TLS is, for people (the bundle's name, say)
 * @param handshakeExecutor runs the engine's delegated tasks (the handshake's key exchange,
 * signatures and certificate checks) while the connection waits without being read, or
 * {@code null} to run them on the I/O thread
 */
public record TlsSettings(TlsEngineFactory engines, Duration handshakeTimeout, String description,
		Executor handshakeExecutor) {

	/** Default handshake timeout, Netty's. */
	public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

	/** TLS whose handshake work runs on the I/O thread. */
	public TlsSettings(TlsEngineFactory engines, Duration handshakeTimeout, String description) {
		this(engines, handshakeTimeout, description, null);
	}

	public TlsSettings {
		Objects.requireNonNull(engines, "engines");
		Objects.requireNonNull(description, "description");
		if (handshakeTimeout == null || handshakeTimeout.isNegative()) {
			throw new IllegalArgumentException("handshakeTimeout must be zero or positive but was " + handshakeTimeout);
		}
	}

}
