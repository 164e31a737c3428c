/**
 * The chat room shared by every instance of an application through Redis ({@code chat.cluster=redis}):
 * {@link io.github.tcpserver.protocol.chat.redis.RedisChatRoom} behind the
 * {@link io.github.tcpserver.protocol.chat.ChatRoom} API, its Redis commands and its wire events.
 */
package io.github.tcpserver.protocol.chat.redis;
