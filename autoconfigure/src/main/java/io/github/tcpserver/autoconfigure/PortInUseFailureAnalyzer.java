package io.github.tcpserver.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.github.tcpserver.core.PortInUseException;

/**
 * Explains a TCP listener whose port is taken, in the manner of Spring Boot's "Port 8080 was
 * already in use".
 */
class PortInUseFailureAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
		String description = "TCP listener '" + cause.getListenerName() + "' failed to start. Port " + cause.getPort()
				+ " was already in use.";
		String action = "Identify and stop the process that's listening on port " + cause.getPort()
				+ " or configure listener '" + cause.getListenerName()
				+ "' to listen on another port (tcp.server.port, or the port attribute of its @SocketHandler).";
		return new FailureAnalysis(description, action, cause);
	}

}
