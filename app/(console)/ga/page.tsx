import { GaView } from "@/components/ga-view";
import { pool } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { computeGaFigures } from "@/lib/ga/compute-ga-figures";
import { gaPermissions } from "@/lib/ga/ga-rules";
import { listGaSignoffs } from "@/lib/ga/ga-signoffs";
import { isoDay } from "@/lib/ga/ga-window";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, searchParams }) => {
  const raw = searchParams.lastDay;
  const today = isoDay(new Date());
  const lastDay = typeof raw === "string" && raw ? raw : today;
  const [figures, forms] = await Promise.all([
    computeGaFigures(pool(), { lastDay }).then(
      (f) => ({ f, error: null }),
      (error) => {
        if (error instanceof AppError) return { f: null, error: error.message };
        throw error;
      },
    ),
    listGaSignoffs(pool()),
  ]);
  const plain = <T,>(v: T): T => JSON.parse(JSON.stringify(v));
  return (
    <GaView
      figures={plain(figures.f)}
      figuresError={figures.error}
      lastDay={lastDay}
      today={today}
      open={plain(forms.find((f) => f.status === "open") ?? null)}
      forms={plain(forms)}
      permissions={gaPermissions(user)}
      me={user.email}
    />
  );
});
