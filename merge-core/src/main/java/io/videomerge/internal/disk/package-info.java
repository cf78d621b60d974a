/** Disk space: telling a full disk from other write failures, and how much room is left. */
package io.videomerge.internal.disk;
