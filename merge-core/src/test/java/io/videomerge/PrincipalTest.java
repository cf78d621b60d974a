package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Principal")
class PrincipalTest {

    @Test
    @DisplayName("the anonymous principal and ids of visible ASCII up to 128 characters are accepted")
    void acceptsVisibleAscii() {
        assertEquals("anonymous", Principal.ANONYMOUS.id());
        assertEquals("auth0|user:42", new Principal("auth0|user:42").id());
        assertEquals(128, new Principal("p".repeat(128)).id().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "tab\there", "line\nbreak", "clé"})
    @DisplayName("empty ids, spaces, control characters and non-ASCII are refused")
    void refusesOddIds(String id) {
        assertThrows(IllegalArgumentException.class, () -> new Principal(id));
    }

    @Test
    @DisplayName("ids longer than 128 characters are refused")
    void refusesLongIds() {
        assertThrows(IllegalArgumentException.class, () -> new Principal("p".repeat(129)));
    }
}
