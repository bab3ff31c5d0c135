#include "core/codes.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace ik::core::codes {
namespace {

constexpr Code kGender[] = {
    {"female", IK_N_("Female"), "gender=Female"},
    {"male", IK_N_("Male"), "gender=Male"},
    {"transgender", IK_N_("Transgender / non-conforming"), "gender=Transgender/NonConforming"},
    {"unknown", IK_N_("Unknown"), ""},
};
constexpr Code kMarital[] = {
    {"single", IK_N_("Single"), ""},          {"married", IK_N_("Married"), ""},   {"partnership", IK_N_("In a partnership"), ""},
    {"divorced", IK_N_("Divorced or separated"), ""}, {"widowed", IK_N_("Widowed"), ""}, {"unknown", IK_N_("Unknown"), ""},
};
constexpr Code kEducation[] = {
    {"none", IK_N_("No schooling"), ""},          {"primary", IK_N_("Primary"), ""},   {"secondary", IK_N_("Secondary"), ""},
    {"vocational", IK_N_("Vocational"), ""},      {"higher", IK_N_("Higher"), ""},     {"unknown", IK_N_("Unknown"), ""},
};
constexpr Code kExploitation[] = {
    {"forced_labour", IK_N_("Forced labour"), "isForcedLabour"},
    {"sexual", IK_N_("Sexual exploitation"), "isSexualExploit"},
    {"forced_marriage", IK_N_("Forced marriage"), "isForcedMarriage"},
    {"forced_military", IK_N_("Forced military service"), "isForcedMilitary"},
    {"organ_removal", IK_N_("Organ removal"), "isOrganRemoval"},
    {"slavery_practices", IK_N_("Slavery and similar practices"), "isSlaveryAndPractices"},
    {"other", IK_N_("Other exploitation"), "isOtherExploit"},
};
constexpr Code kLabourSector[] = {
    {"agriculture", IK_N_("Agriculture"), "typeOfLabourAgriculture"},
    {"aquafarming", IK_N_("Aquafarming and fishing"), "typeOfLabourAquafarming"},
    {"begging", IK_N_("Begging"), "typeOfLabourBegging"},
    {"construction", IK_N_("Construction"), "typeOfLabourConstruction"},
    {"domestic_work", IK_N_("Domestic work"), "typeOfLabourDomesticWork"},
    {"hospitality", IK_N_("Hospitality"), "typeOfLabourHospitality"},
    {"illicit_activities", IK_N_("Illicit activities"), "typeOfLabourIllicitActivities"},
    {"manufacturing", IK_N_("Manufacturing"), "typeOfLabourManufacturing"},
    {"mining_drilling", IK_N_("Mining or drilling"), "typeOfLabourMiningOrDrilling"},
    {"peddling", IK_N_("Peddling"), "typeOfLabourPeddling"},
    {"transportation", IK_N_("Transportation"), "typeOfLabourTransportation"},
    {"other", IK_N_("Other sector"), "typeOfLabourOther"},
    {"not_specified", IK_N_("Not specified"), "typeOfLabourNotSpecified"},
};
constexpr Code kSexual[] = {
    {"prostitution", IK_N_("Prostitution"), "typeOfSexProstitution"},
    {"pornography", IK_N_("Pornography"), "typeOfSexPornography"},
    {"remote_interactive", IK_N_("Remote interactive services"), "typeOfSexRemoteInteractiveServices"},
    {"private_sexual_services", IK_N_("Private sexual services"), "typeOfSexPrivateSexualServices"},
    {"not_specified", IK_N_("Not specified"), ""},
};
constexpr Code kMeansOfControl[] = {
    {"debt_bondage", IK_N_("Debt bondage"), "meansOfControlDebtBondage"},
    {"takes_earnings", IK_N_("Takes earnings"), "meansOfControlTakesEarnings"},
    {"restricts_financial_access", IK_N_("Restricts financial access"), "meansOfControlRestrictsFinancialAccess"},
    {"threats", IK_N_("Threats"), "meansOfControlThreats"},
    {"psychological_abuse", IK_N_("Psychological abuse"), "meansOfControlPsychologicalAbuse"},
    {"physical_abuse", IK_N_("Physical abuse"), "meansOfControlPhysicalAbuse"},
    {"sexual_abuse", IK_N_("Sexual abuse"), "meansOfControlSexualAbuse"},
    {"false_promises", IK_N_("False promises"), "meansOfControlFalsePromises"},
    {"psychoactive_substances", IK_N_("Psychoactive substances"), "meansOfControlPsychoactiveSubstances"},
    {"restricts_movement", IK_N_("Restricts movement"), "meansOfControlRestrictsMovement"},
    {"restricts_medical_care", IK_N_("Restricts medical care"), "meansOfControlRestrictsMedicalCare"},
    {"excessive_working_hours", IK_N_("Excessive working hours"), "meansOfControlExcessiveWorkingHours"},
    {"uses_children", IK_N_("Uses children"), "meansOfControlUsesChildren"},
    {"threat_of_law_enforcement", IK_N_("Threat of law enforcement"), "meansOfControlThreatOfLawEnforcement"},
    {"withholds_necessities", IK_N_("Withholds necessities"), "meansOfControlWithholdsNecessities"},
    {"withholds_documents", IK_N_("Withholds documents"), "meansOfControlWithholdsDocuments"},
    {"other", IK_N_("Other means of control"), "meansOfControlOther"},
};
constexpr Code kRecruitment[] = {
    {"abduction", IK_N_("Abduction"), "isAbduction"},
    {"job_offer", IK_N_("Job offer"), ""},
    {"marriage_offer", IK_N_("Marriage or relationship offer"), ""},
    {"online", IK_N_("Online contact"), ""},
    {"education_offer", IK_N_("Education or travel offer"), ""},
    {"sold_by_family", IK_N_("Sold or given by family"), ""},
    {"other", IK_N_("Other"), ""},
    {"unknown", IK_N_("Unknown"), ""},
};
constexpr Code kRecruiterRelation[] = {
    {"intimate_partner", IK_N_("Intimate partner"), "recruiterRelationIntimatePartner"},
    {"friend", IK_N_("Friend or acquaintance"), "recruiterRelationFriend"},
    {"family", IK_N_("Family member"), "recruiterRelationFamily"},
    {"other", IK_N_("Other"), "recruiterRelationOther"},
    {"unknown", IK_N_("Unknown"), "recruiterRelationUnknown"},
};
constexpr Code kCaseStatus[] = {
    {"active", IK_N_("Active"), ""}, {"follow_up", IK_N_("Follow-up"), ""}, {"closed", IK_N_("Closed"), ""},
    {"closed_referred", IK_N_("Closed, referred"), ""},
};
constexpr Code kRisk[] = {{"low", IK_N_("Low risk"), ""}, {"medium", IK_N_("Medium risk"), ""}, {"high", IK_N_("High risk"), ""}};
constexpr Code kScope[] = {{"national", IK_N_("National"), ""}, {"international", IK_N_("International"), ""}};
constexpr Code kRepatriation[] = {
    {"not_applicable", IK_N_("Not applicable"), ""}, {"requested", IK_N_("Requested"), ""}, {"in_progress", IK_N_("In progress"), ""},
    {"completed", IK_N_("Completed"), ""},           {"refused", IK_N_("Refused by the person"), ""},
};
constexpr Code kReferralDirection[] = {{"incoming", IK_N_("Incoming"), ""}, {"outgoing", IK_N_("Outgoing"), ""}};
constexpr Code kReferralStatus[] = {
    {"pending", IK_N_("Pending"), ""}, {"accepted", IK_N_("Accepted"), ""}, {"rejected", IK_N_("Rejected"), ""}, {"done", IK_N_("Done"), ""},
};
constexpr Code kOrganisation[] = {
    {"law_enforcement", IK_N_("Law enforcement"), ""}, {"ngo", IK_N_("NGO"), ""}, {"health", IK_N_("Health service"), ""},
    {"legal", IK_N_("Legal aid"), ""}, {"social_services", IK_N_("Social services"), ""}, {"embassy", IK_N_("Embassy or consulate"), ""},
    {"international_org", IK_N_("International organisation"), ""}, {"hotline", IK_N_("Hotline"), ""}, {"other", IK_N_("Other"), ""},
};
constexpr Code kWing[] = {{"women", IK_N_("Women"), ""}, {"girls", IK_N_("Girls"), ""}, {"men", IK_N_("Men"), ""}, {"boys", IK_N_("Boys"), ""}};
constexpr Code kDischarge[] = {
    {"reintegration", IK_N_("Reintegration"), ""}, {"repatriation", IK_N_("Repatriation"), ""}, {"transfer", IK_N_("Transfer"), ""},
    {"left", IK_N_("Left the shelter"), ""},
};
constexpr Code kService[] = {
    {"accommodation", IK_N_("Accommodation"), ""}, {"food_clothes", IK_N_("Food and clothes"), ""},
    {"psychological", IK_N_("Psychological care"), ""}, {"medical", IK_N_("Medical care"), ""},
    {"vocational", IK_N_("Vocational training"), ""}, {"legal", IK_N_("Legal aid"), ""},
    {"interpretation", IK_N_("Interpretation"), ""}, {"other", IK_N_("Other service"), ""},
};
constexpr Code kChannel[] = {
    {"phone", IK_N_("Phone"), ""}, {"sms", IK_N_("SMS"), ""}, {"messenger", IK_N_("Messenger"), ""}, {"email", IK_N_("E-mail"), ""},
    {"other", IK_N_("Other"), ""},
};
constexpr Code kCaller[] = {
    {"potential_victim", IK_N_("Potential victim"), ""}, {"family", IK_N_("Family member"), ""}, {"witness", IK_N_("Witness"), ""},
    {"professional", IK_N_("Professional"), ""},         {"anonymous", IK_N_("Anonymous"), ""},
};
constexpr Code kCallType[] = {
    {"crisis", IK_N_("Crisis"), ""}, {"tip", IK_N_("Tip"), ""}, {"information", IK_N_("Information"), ""},
    {"referral_request", IK_N_("Referral request"), ""}, {"psychological_aid", IK_N_("Psychological aid"), ""},
    {"other", IK_N_("Other"), ""},
};
// The ILO's eleven indicators of forced labour.
constexpr Code kIlo[] = {
    {"abuse_of_vulnerability", IK_N_("Abuse of vulnerability"), ""},
    {"deception", IK_N_("Deception"), ""},
    {"restriction_of_movement", IK_N_("Restriction of movement"), ""},
    {"isolation", IK_N_("Isolation"), ""},
    {"physical_sexual_violence", IK_N_("Physical and sexual violence"), ""},
    {"intimidation_threats", IK_N_("Intimidation and threats"), ""},
    {"retention_of_documents", IK_N_("Retention of identity documents"), ""},
    {"withholding_of_wages", IK_N_("Withholding of wages"), ""},
    {"debt_bondage", IK_N_("Debt bondage"), ""},
    {"abusive_conditions", IK_N_("Abusive working and living conditions"), ""},
    {"excessive_overtime", IK_N_("Excessive overtime"), ""},
};
constexpr Code kCallAction[] = {
    {"information_given", IK_N_("Information given"), ""}, {"psychological_aid", IK_N_("Psychological aid given"), ""},
    {"referred_law_enforcement", IK_N_("Referred to law enforcement"), ""}, {"referred_service", IK_N_("Referred to a service"), ""},
    {"shelter_admission", IK_N_("Shelter admission arranged"), ""}, {"no_action", IK_N_("No action needed"), ""},
};
constexpr Code kConsent[] = {
    {"manage_data", IK_N_("Consent to manage personal data"), ""},
    {"share_law_enforcement", IK_N_("Consent to share with law enforcement"), ""},
    {"referral", IK_N_("Consent to be referred"), ""},
};
constexpr Code kNeed[] = {
    {"accommodation", IK_N_("Safe accommodation"), ""}, {"medical", IK_N_("Medical care"), ""},
    {"psychological", IK_N_("Psychological support"), ""}, {"legal", IK_N_("Legal aid"), ""},
    {"interpretation", IK_N_("Interpretation"), ""}, {"protection", IK_N_("Protection"), ""}, {"childcare", IK_N_("Childcare"), ""},
    {"documents", IK_N_("Identity documents"), ""}, {"financial", IK_N_("Financial support"), ""}, {"other", IK_N_("Other"), ""},
};
constexpr Code kIntakeSource[] = {
    {"self", IK_N_("Came by themselves"), ""}, {"law_enforcement", IK_N_("Law enforcement"), ""}, {"ngo", IK_N_("NGO"), ""},
    {"hotline", IK_N_("Hotline"), ""}, {"embassy", IK_N_("Embassy or consulate"), ""}, {"family", IK_N_("Family or friends"), ""},
    {"other", IK_N_("Other"), ""},
};

const std::array kLists{
    CodeList{"gender", kGender},
    CodeList{"marital_status", kMarital},
    CodeList{"education", kEducation},
    CodeList{"exploitation_type", kExploitation},
    CodeList{"labour_sector", kLabourSector},
    CodeList{"sexual_exploitation", kSexual},
    CodeList{"means_of_control", kMeansOfControl},
    CodeList{"recruitment", kRecruitment},
    CodeList{"recruiter_relation", kRecruiterRelation},
    CodeList{"case_status", kCaseStatus},
    CodeList{"risk_level", kRisk},
    CodeList{"scope", kScope},
    CodeList{"repatriation_status", kRepatriation},
    CodeList{"referral_direction", kReferralDirection},
    CodeList{"referral_status", kReferralStatus},
    CodeList{"organisation_type", kOrganisation},
    CodeList{"wing", kWing},
    CodeList{"discharge_reason", kDischarge},
    CodeList{"service_type", kService},
    CodeList{"call_channel", kChannel},
    CodeList{"caller_type", kCaller},
    CodeList{"call_type", kCallType},
    CodeList{"ilo_indicator", kIlo},
    CodeList{"call_action", kCallAction},
    CodeList{"consent_kind", kConsent},
    CodeList{"need", kNeed},
    CodeList{"intake_source", kIntakeSource},
};

}  // namespace

bool CodeList::contains(std::string_view code) const {
  return std::any_of(codes.begin(), codes.end(), [&](const Code& c) { return c.code == code; });
}

std::string_view CodeList::label(std::string_view code) const {
  for (const auto& c : codes)
    if (c.code == code) return c.label;
  return {};
}

std::span<const CodeList> all_lists() { return kLists; }

const CodeList& list(std::string_view name) {
  for (const auto& l : kLists)
    if (l.name == name) return l;
  std::fprintf(stderr, "fatal: unknown code list\n");
  std::abort();
}

std::string join(std::vector<std::string> codes) {
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::string out;
  for (const auto& c : codes) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

std::vector<std::string> split(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace ik::core::codes
