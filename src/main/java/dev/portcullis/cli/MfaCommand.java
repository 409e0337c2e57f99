package dev.portcullis.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * TOTP second factor, enrolled with the enrolment ticket an admin issued ({@code admin add-user},
 * {@code admin reset-mfa}, {@code user add}, {@code user reset-mfa}): no API token can enrol one.
 */
@Command(
        name = "mfa",
        description = "Enrol your second factor (TOTP) with the enrolment ticket an admin gave you.",
        subcommands = {MfaCommand.Enroll.class, MfaCommand.Confirm.class})
final class MfaCommand {

    @Command(
            name = "enroll",
            description = "Start enrolment: prints a secret and an otpauth:// URI for your authenticator.")
    static final class Enroll implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(
                names = "--ticket",
                required = true,
                defaultValue = "${env:PORTCULLIS_ENROLMENT_TICKET}",
                description = "The enrolment ticket (pcl_e_...), or PORTCULLIS_ENROLMENT_TICKET.")
        String ticket;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> enrollment =
                    server.anonymousClient().post("/api/v1/mfa/enroll", Map.of("ticket", ticket));
            PrintWriter out = spec.commandLine().getOut();
            out.println("secret: " + enrollment.get("secret"));
            out.println("uri:    " + enrollment.get("uri"));
            out.println(
                    "Add it to an authenticator app (or: oathtool --totp -b SECRET), then confirm with the same ticket:");
            out.println("  portcullis mfa confirm --ticket TICKET --otp CODE");
            return 0;
        }
    }

    @Command(
            name = "confirm",
            description = "Finish enrolment with a code; uses the ticket up and prints ten single-use recovery codes.")
    static final class Confirm implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(
                names = "--ticket",
                required = true,
                defaultValue = "${env:PORTCULLIS_ENROLMENT_TICKET}",
                description = "The enrolment ticket (pcl_e_...), or PORTCULLIS_ENROLMENT_TICKET.")
        String ticket;

        @Option(names = "--otp", required = true, description = "A code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> result =
                    server.anonymousClient().post("/api/v1/mfa/confirm", Map.of("ticket", ticket, "otp", otp));
            PrintWriter out = spec.commandLine().getOut();
            out.println("MFA enabled. Recovery codes (each works once, in place of a code; store them safely):");
            for (String code : (List<String>) result.get("recovery_codes")) {
                out.println("  " + code);
            }
            return 0;
        }
    }
}
