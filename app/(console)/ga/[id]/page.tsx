import Link from "next/link";
import { notFound } from "next/navigation";
import { GaSignoffForm } from "@/components/ga-signoff-form";
import { requirePageUser } from "@/lib/auth/session";
import { pool } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { gaPermissions } from "@/lib/ga/ga-rules";
import { getGaSignoffOrThrow } from "@/lib/ga/ga-signoffs";

export const dynamic = "force-dynamic";

export default async function GaSignoffPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const form = await getGaSignoffOrThrow(pool(), id).catch((error) => {
    if (error instanceof AppError && error.status === 404) notFound();
    throw error;
  });
  return (
    <div className="space-y-3">
      <Link href="/ga" className="text-sm text-blue-700 underline">
        ← GA sign-off
      </Link>
      <GaSignoffForm initial={JSON.parse(JSON.stringify(form))} permissions={gaPermissions(user)} me={user.email} />
    </div>
  );
}
