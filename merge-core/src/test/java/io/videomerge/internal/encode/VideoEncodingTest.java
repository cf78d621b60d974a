package io.videomerge.internal.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Canvas;
import io.videomerge.Quality;
import io.videomerge.Speed;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the encoder settings of each speed")
class VideoEncodingTest {
    private static Canvas canvas(Quality quality) {
        return quality.canvas(AspectRatio.LANDSCAPE_16_9);
    }

    @ParameterizedTest(name = "{0}: crf {1}")
    @CsvSource({"P480, 23", "P720, 23", "P1080, 22", "P2160, 21"})
    @DisplayName("fast is exactly what every merge used before speeds: libx264 preset veryfast at CRF 23/22/21")
    void fastX264IsTheOldSetting(Quality quality, String crf) {
        assertEquals(
                new VideoEncoding("libx264", 0, Map.of("preset", "veryfast", "crf", crf)),
                VideoEncoding.of(VideoEncoding.X264, canvas(quality), Speed.FAST));
    }

    @ParameterizedTest(name = "{0}: {1} bit/s")
    @CsvSource({"P480, 1500000", "P720, 3000000", "P1080, 6000000", "P2160, 20000000"})
    @DisplayName("fast is exactly what every merge used before speeds: libopenh264 at its bit rate, no options")
    void fastOpenh264IsTheOldSetting(Quality quality, long bitRate) {
        assertEquals(
                new VideoEncoding("libopenh264", bitRate, Map.of()),
                VideoEncoding.of(VideoEncoding.OPENH264, canvas(quality), Speed.FAST));
    }

    @Test
    @DisplayName("the default speed is fast, and a portrait canvas is settled by its short side as a landscape one")
    void defaultIsFast() {
        assertEquals(Speed.FAST, Speed.DEFAULT);
        assertEquals(
                VideoEncoding.of(VideoEncoding.X264, canvas(Quality.P1080), Speed.SMALL),
                VideoEncoding.of(VideoEncoding.X264, Quality.P1080.canvas(AspectRatio.PORTRAIT_9_16), Speed.SMALL));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "P720, BALANCED, faster, 24",
        "P1080, BALANCED, faster, 23",
        "P2160, BALANCED, faster, 22",
        "P720, SMALL, slow, 25",
        "P1080, SMALL, slow, 24",
        "P2160, SMALL, slow, 23"
    })
    @DisplayName("balanced and small take slower libx264 presets at a CRF one and two steps higher")
    void x264Mapping(Quality quality, Speed speed, String preset, String crf) {
        assertEquals(
                new VideoEncoding("libx264", 0, Map.of("preset", preset, "crf", crf)),
                VideoEncoding.of(VideoEncoding.X264, canvas(quality), speed));
    }

    @ParameterizedTest(name = "{0} {1}: {2} bit/s")
    @CsvSource({
        "P480, BALANCED, 1200000",
        "P720, BALANCED, 2400000",
        "P1080, BALANCED, 4800000",
        "P2160, BALANCED, 16000000",
        "P480, SMALL, 900000",
        "P720, SMALL, 1800000",
        "P1080, SMALL, 3600000",
        "P2160, SMALL, 12000000"
    })
    @DisplayName("balanced and small take lower libopenh264 bit rates, with the High profile's CABAC")
    void openh264Mapping(Quality quality, Speed speed, long bitRate) {
        assertEquals(
                new VideoEncoding("libopenh264", bitRate, Map.of("profile", "high")),
                VideoEncoding.of(VideoEncoding.OPENH264, canvas(quality), speed));
    }

    @Test
    @DisplayName("each step from fast to small asks for fewer bits of libopenh264")
    void openh264BitRatesFall() {
        for (Quality quality : Quality.values()) {
            long fast = VideoEncoding.of(VideoEncoding.OPENH264, canvas(quality), Speed.FAST)
                    .bitRate();
            long balanced = VideoEncoding.of(VideoEncoding.OPENH264, canvas(quality), Speed.BALANCED)
                    .bitRate();
            long small = VideoEncoding.of(VideoEncoding.OPENH264, canvas(quality), Speed.SMALL)
                    .bitRate();
            assertTrue(fast > balanced && balanced > small, quality + ": " + fast + " " + balanced + " " + small);
        }
    }
}
