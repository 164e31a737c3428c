package io.github.tcpserver.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the chat room shared through Redis ({@code chat.cluster.*}), used when
 * {@code chat.cluster=redis}. The Redis connection itself is Boot's {@code spring.data.redis.*}.
 */
@ConfigurationProperties("chat.cluster")
public class ChatClusterProperties {

	/** Within this time a stopped instance's members are announced as left and their names freed. */
	private Duration memberTtl = Duration.ofSeconds(30);

	/** Prefix of the room's Redis keys and channel; instances with the same prefix share one room. */
	private String keyPrefix = "chat";

	/** Most room events waiting to be published, and to be delivered; messages past it are refused. */
	private int maxQueuedEvents = 10_000;

	/** Longest wait at shutdown for queued events and the release of the instance's names. */
	private Duration stopTimeout = Duration.ofSeconds(10);

	public Duration getMemberTtl() {
		return this.memberTtl;
	}

	public void setMemberTtl(Duration memberTtl) {
		if (memberTtl.toMillis() < 300) {
			throw new IllegalArgumentException("chat.cluster.member-ttl must be at least 300ms but was " + memberTtl);
		}
		this.memberTtl = memberTtl;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
			throw new IllegalArgumentException("chat.cluster.key-prefix must be non-empty, without braces, but was '"
					+ keyPrefix + "'");
		}
		this.keyPrefix = keyPrefix;
	}

	public int getMaxQueuedEvents() {
		return this.maxQueuedEvents;
	}

	public void setMaxQueuedEvents(int maxQueuedEvents) {
		if (maxQueuedEvents < 1) {
			throw new IllegalArgumentException("chat.cluster.max-queued-events must be positive but was " + maxQueuedEvents);
		}
		this.maxQueuedEvents = maxQueuedEvents;
	}

	public Duration getStopTimeout() {
		return this.stopTimeout;
	}

	public void setStopTimeout(Duration stopTimeout) {
		this.stopTimeout = stopTimeout;
	}

}
