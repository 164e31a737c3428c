/**
 * The sample application: echo, chat and HTTP listeners side by side.
 */
package io.github.tcpserver.sample;
